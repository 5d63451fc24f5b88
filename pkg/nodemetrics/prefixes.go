package nodemetrics

// LegacyPrefixes split component-base's legacyregistry, which the
// apiserver, scheduler, controller-manager, kubelet and kube-proxy of the
// process share: each prefix is a namespace only that component registers
// in it (its etcd_* are the apiserver's storage client, not etcd's). The
// controller-manager's families are named after its controllers.
var LegacyPrefixes = map[string]string{
	"apiserver_":                            "apiserver",
	"aggregator_":                           "apiserver",
	"apiextensions_":                        "apiserver",
	"authenticated_user_":                   "apiserver",
	"authentication_":                       "apiserver",
	"authorization_":                        "apiserver",
	"etcd_":                                 "apiserver",
	"field_validation_":                     "apiserver",
	"grpc_client_":                          "apiserver", // its etcd client's
	"kube_apiserver_":                       "apiserver",
	"pod_security_":                         "apiserver",
	"serviceaccount_":                       "apiserver",
	"watch_cache_":                          "apiserver",
	"scheduler_":                            "scheduler",
	"kubelet_":                              "kubelet",
	"prober_":                               "kubelet",
	"volume_manager_":                       "kubelet",
	"plugin_manager_":                       "kubelet",
	"dra_":                                  "kubelet",
	"force_cleaned_failed_volume_operation": "kubelet",
	"reconstruct_volume_operations":         "kubelet",
	"kubeproxy_":                            "kube-proxy",
	"attachdetach_":                         "controller-manager",
	"cronjob_controller_":                   "controller-manager",
	"endpoint_slice_":                       "controller-manager",
	"ephemeral_volume_":                     "controller-manager",
	"garbagecollector_":                     "controller-manager",
	"job_controller_":                       "controller-manager",
	"node_collector_":                       "controller-manager",
	"node_ipam_controller_":                 "controller-manager",
	"pv_collector_":                         "controller-manager",
	"replicaset_controller_":                "controller-manager",
	"resourceclaim_controller_":             "controller-manager",
	"root_ca_cert_publisher_":               "controller-manager",
	"service_controller_":                   "controller-manager",
	"taint_eviction_controller_":            "controller-manager",
	"ttl_after_finished_controller_":        "controller-manager",
	"disruption_controller_":                "controller-manager",
	"device_taint_eviction_controller_":     "controller-manager",
	"retroactive_storageclass_":             "controller-manager",
	"statefulset_":                          "controller-manager",
	"horizontal_pod_autoscaler_controller_": "controller-manager",
}

// DefaultPrefixes split Prometheus' default registry, where etcd, CoreDNS
// and CRI-O register. CoreDNS's kubernetes plugin installs client-go's
// request metrics for the whole process (the first to do so wins), so
// coredns_kubernetes_rest_client_* count every in-process client.
var DefaultPrefixes = map[string]string{
	"etcd_":                           "etcd",
	"grpc_server_":                    "etcd",
	"os_fd_":                          "etcd",
	"coredns_":                        "coredns",
	"coredns_kubernetes_rest_client_": Process,
	"container_runtime_crio_":         "crio",
	"containerd_cri_":                 "crio", // CRI-O's VM runtime links containerd's CRI I/O
}
