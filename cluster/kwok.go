package cluster

import (
	"context"
	"fmt"
	"io"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	"sigs.k8s.io/kwok/pkg/client/clientset/versioned"
	"sigs.k8s.io/kwok/pkg/kwok/controllers"
	kwoklog "sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/client"
)

// startKwok runs kwok's node and pod controllers for every node carrying
// kwok's annotation, acting as their kubelets.
func startKwok(ctx context.Context, kubeconfig string, logs io.Writer, leaseDuration time.Duration, so stageOptions) error {
	// kwok logs through its own slog wrapper; keep it off the terminal.
	ctx = kwoklog.NewContext(ctx, kwoklog.NewLogger(logs, kwoklog.LevelWarn))
	st, err := stages(so)
	if err != nil {
		return err
	}
	cs, err := client.NewClientset("", kubeconfig)
	if err != nil {
		return fmt.Errorf("kwok client: %w", err)
	}
	restConfig, err := cs.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("kwok client: %w", err)
	}
	dyn, err := cs.ToDynamicClient()
	if err != nil {
		return fmt.Errorf("kwok client: %w", err)
	}
	mapper, err := cs.ToRESTMapper()
	if err != nil {
		return fmt.Errorf("kwok client: %w", err)
	}
	restClient, err := rest.RESTClientFor(restConfig)
	if err != nil {
		return fmt.Errorf("kwok client: %w", err)
	}
	// The typed client watches every pod: protobuf costs the API server and
	// kwok far less than JSON to encode and decode (the dynamic client that
	// patches stages speaks JSON only).
	typedConfig := protobuf(rest.CopyConfig(restConfig))
	typedConfig.NegotiatedSerializer = nil
	typedConfig.GroupVersion = nil
	typed, err := kubernetes.NewForConfig(typedConfig)
	if err != nil {
		return fmt.Errorf("kwok client: %w", err)
	}
	kwokClient, err := versioned.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kwok client: %w", err)
	}
	ctr, err := controllers.NewController(controllers.Config{
		Clock:                             clock.RealClock{},
		DynamicClient:                     dyn,
		RESTClient:                        restClient,
		RESTMapper:                        mapper,
		ImpersonatingDynamicClient:        cs.ToImpersonatingDynamicClient(),
		ImpersonatingTypedClient:          cs.ToImpersonatingTypedClient(),
		TypedClient:                       typed,
		TypedKwokClient:                   kwokClient,
		ManageNodesWithAnnotationSelector: kwokSelector,
		CIDR:                              "10.127.255.0/24",
		LocalStages:                       st,
		PodPlayStageParallelism:           16,
		NodePlayStageParallelism:          8,
		NodeLeaseParallelism:              8,
		NodeLeaseDurationSeconds:          uint(leaseDuration / time.Second),
		PodsOnNodeSyncParallelism:         4,
		ID:                                "perflab",
	})
	if err != nil {
		return fmt.Errorf("kwok controller: %w", err)
	}
	if err := ctr.Start(ctx); err != nil {
		return fmt.Errorf("kwok controller: %w", err)
	}
	return nil
}
