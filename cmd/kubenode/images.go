package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"
	"go.podman.io/storage"

	"github.com/kubenode/kubenode/pkg/images"
	"github.com/kubenode/kubenode/pkg/nodelock"
)

func newImagesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "images",
		Short: "Manage the node's container images without a registry",
	}
	cmd.AddCommand(newImagesImportCmd(), newImagesListCmd())
	return cmd
}

func newImagesImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE...",
		Short: "Import oci-archive or docker-archive files into the node's image store",
		Long: `Import copies every image of each archive into the node's image store
(the one CRI-O uses). The format is detected: an oci-archive (podman save
--format oci-archive, skopeo copy ... oci-archive:FILE:NAME) or a
docker-archive (docker save, podman save). Images keep the names the archive
gives; an image without a full name is called localhost/FILE:TAG. An image
already present is recognised by its ID and not copied again.

Archives in DATA-DIR/images are imported when the node starts.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			// CRI-O of a running node has this store open; its archives
			// go to DATA-DIR/images instead.
			lock, err := lockNode(cmd, cfg)
			var inUse *nodelock.InUseError
			if errors.As(err, &inUse) {
				return fmt.Errorf("%w (or copy the archives to %s: a node imports them at its next start)", err, images.ArchiveDir(cfg.DataDir))
			}
			if err != nil {
				return err
			}
			defer lock.Release()
			store, err := images.OpenStore(cfg.DataDir, cfg.RunDir)
			if err != nil {
				return err
			}
			defer store.Shutdown(false)
			// Ctrl-C cancels the copy, so Import still removes what it added.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			w := cmd.OutOrStdout()
			for _, file := range args {
				start := time.Now()
				got, err := images.Import(ctx, store, file)
				for _, img := range got {
					verb := "imported"
					if img.Present {
						verb = "present "
					}
					fmt.Fprintf(w, "%s %s %.12s (%s)\n", verb, strings.Join(img.Names, ","), img.ID, time.Since(start).Round(time.Millisecond))
				}
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// openImageStore opens the image store of the node the flags name.
func openImageStore(cmd *cobra.Command) (storage.Store, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	return images.OpenStore(cfg.DataDir, cfg.RunDir)
}

func newImagesListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the images in the node's image store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := openImageStore(cmd)
			if err != nil {
				return err
			}
			defer store.Shutdown(false)
			list, err := images.List(store)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "IMAGE\tID\tSIZE")
			for _, img := range list {
				names := img.Names
				if len(names) == 0 {
					names = []string{"<none>"}
				}
				for _, n := range names {
					fmt.Fprintf(tw, "%s\t%.12s\t%s\n", n, img.ID, units.BytesSize(float64(img.Size)))
				}
			}
			return tw.Flush()
		},
	}
}
