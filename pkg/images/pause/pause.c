/*
 * pause holds a pod's namespaces open and does nothing else, like the
 * upstream Kubernetes pause program: it exits 0 on SIGINT or SIGTERM and, as
 * PID 1 of a pod that shares its PID namespace, reaps orphaned zombies.
 *
 * kubenode builds it static (make pause) and embeds it in its binary, so no
 * node ever pulls a pause image. pkg/images checks that VERSION matches
 * images.PauseVersion.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define VERSION "1.0"

static void say(const char *s) {
	/* write(2) only: stdio would double the static binary's size. */
	ssize_t n = write(STDERR_FILENO, s, strlen(s));
	(void)n;
}

static void sigdown(int signo) {
	(void)signo;
	_exit(0);
}

static void sigreap(int signo) {
	(void)signo;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(int argc, char **argv) {
	struct sigaction sa;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		ssize_t n = write(STDOUT_FILENO, "pause " VERSION " (kubenode)\n", sizeof("pause " VERSION " (kubenode)\n") - 1);
		(void)n;
		return 0;
	}
	if (getpid() != 1)
		say("pause: warning: pause should be the first process\n");

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = sigdown;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return 1;
	sa.sa_handler = sigreap;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	if (sigaction(SIGCHLD, &sa, NULL) < 0)
		return 2;

	for (;;)
		pause();
	say("pause: error: infinite loop terminated\n");
	return 42;
}
