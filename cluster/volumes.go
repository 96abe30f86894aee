package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
)

const (
	// VolumeProvisioner is the provisioner name of the default StorageClass.
	VolumeProvisioner = "perflab.io/local-volume"
	// DefaultStorageClass is the name of the default StorageClass (kind's).
	DefaultStorageClass = "standard"
	// annProvisionedBy marks a PV made by a dynamic provisioner; the
	// persistent-volume controller leaves binding-released PVs of external
	// provisioners to them.
	annProvisionedBy = "pv.kubernetes.io/provisioned-by"
	annDefaultClass  = "storageclass.kubernetes.io/is-default-class"
)

// ensureStorageClass creates the default StorageClass unless a class of
// that name exists (a user's changes to it are kept across restarts).
func ensureStorageClass(ctx context.Context, c kubernetes.Interface) error {
	sc := &storagev1.StorageClass{
		ObjectMeta:           metav1.ObjectMeta{Name: DefaultStorageClass, Annotations: map[string]string{annDefaultClass: "true"}},
		Provisioner:          VolumeProvisioner,
		ReclaimPolicy:        ptr.To(corev1.PersistentVolumeReclaimDelete),
		VolumeBindingMode:    ptr.To(storagev1.VolumeBindingImmediate),
		AllowVolumeExpansion: ptr.To(true),
	}
	_, err := c.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create StorageClass %s: %w", sc.Name, err)
	}
	return nil
}

// volumeProvisioner provisions, expands and reclaims the volumes of
// StorageClasses whose provisioner is VolumeProvisioner, as an external
// provisioner and resizer do: it creates a PV with a claimRef for a pending
// claim (the controller-manager's persistent-volume controller binds the
// two), grows a bound PV and its claim's status when the claim asks for
// more, and deletes a Released PV whose reclaim policy is Delete. Each PV is
// a hostPath directory under <data-dir>/volumes that no pod ever mounts
// (the nodes are simulated); nothing is written outside that directory.
type volumeProvisioner struct {
	client  kubernetes.Interface
	root    string
	claims  corelisters.PersistentVolumeClaimLister
	volumes corelisters.PersistentVolumeLister
	classes storagelisters.StorageClassLister
	queue   workqueue.TypedRateLimitingInterface[volumeKey]
}

// volumeKey names a claim (namespace set) or a volume.
type volumeKey struct{ namespace, name string }

// startVolumeProvisioner runs the provisioner until ctx is done.
func startVolumeProvisioner(ctx context.Context, client kubernetes.Interface, root string) error {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("volume provisioner: %w", err)
	}
	f := informers.NewSharedInformerFactory(client, 0)
	p := &volumeProvisioner{
		client:  client,
		root:    root,
		claims:  f.Core().V1().PersistentVolumeClaims().Lister(),
		volumes: f.Core().V1().PersistentVolumes().Lister(),
		classes: f.Storage().V1().StorageClasses().Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[volumeKey](),
			workqueue.TypedRateLimitingQueueConfig[volumeKey]{Name: "perflab-volume-provisioner"}),
	}
	enqueue := func(obj any) {
		switch o := obj.(type) {
		case *corev1.PersistentVolumeClaim:
			p.queue.Add(volumeKey{o.Namespace, o.Name})
		case *corev1.PersistentVolume:
			p.queue.Add(volumeKey{name: o.Name})
		}
	}
	handler := cache.ResourceEventHandlerFuncs{AddFunc: enqueue, UpdateFunc: func(_, obj any) { enqueue(obj) }}
	if _, err := f.Core().V1().PersistentVolumeClaims().Informer().AddEventHandler(handler); err != nil {
		return fmt.Errorf("volume provisioner: %w", err)
	}
	if _, err := f.Core().V1().PersistentVolumes().Informer().AddEventHandler(handler); err != nil {
		return fmt.Errorf("volume provisioner: %w", err)
	}
	f.Storage().V1().StorageClasses().Informer()
	f.Start(ctx.Done())
	go func() {
		<-ctx.Done()
		p.queue.ShutDown()
		f.Shutdown()
	}()
	go func() {
		if !cache.WaitForCacheSync(ctx.Done(), f.Core().V1().PersistentVolumeClaims().Informer().HasSynced,
			f.Core().V1().PersistentVolumes().Informer().HasSynced, f.Storage().V1().StorageClasses().Informer().HasSynced) {
			return
		}
		for range 4 {
			go p.work(ctx)
		}
	}()
	return nil
}

func (p *volumeProvisioner) work(ctx context.Context) {
	for {
		k, quit := p.queue.Get()
		if quit {
			return
		}
		var err error
		if k.namespace != "" {
			err = p.syncClaim(ctx, k)
		} else {
			err = p.syncVolume(ctx, k.name)
		}
		if err != nil && ctx.Err() == nil {
			slog.Debug("volume provisioner: retrying", "object", k.namespace+"/"+k.name, "err", err)
			p.queue.AddRateLimited(k)
		} else {
			p.queue.Forget(k)
		}
		p.queue.Done(k)
	}
}

// ours returns the claim's StorageClass if this provisioner serves it.
func (p *volumeProvisioner) ours(pvc *corev1.PersistentVolumeClaim) *storagev1.StorageClass {
	name := ptr.Deref(pvc.Spec.StorageClassName, "")
	if name == "" {
		return nil
	}
	sc, err := p.classes.Get(name)
	if err != nil || sc.Provisioner != VolumeProvisioner {
		return nil
	}
	return sc
}

func (p *volumeProvisioner) syncClaim(ctx context.Context, k volumeKey) error {
	pvc, err := p.claims.PersistentVolumeClaims(k.namespace).Get(k.name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := p.ours(pvc)
	if sc == nil || pvc.DeletionTimestamp != nil {
		return nil
	}
	if pvc.Spec.VolumeName == "" {
		return p.provision(ctx, pvc, sc)
	}
	return p.expand(ctx, pvc, sc)
}

// volumeName is the PV name of a claim, as external provisioners name it.
func volumeName(pvc *corev1.PersistentVolumeClaim) string { return "pvc-" + string(pvc.UID) }

func (p *volumeProvisioner) provision(ctx context.Context, pvc *corev1.PersistentVolumeClaim, sc *storagev1.StorageClass) error {
	if pvc.Spec.Selector != nil || pvc.Spec.DataSource != nil {
		return nil // cannot be met by a new empty volume; stays Pending as elsewhere
	}
	size, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return nil
	}
	name := volumeName(pvc)
	dir := filepath.Join(p.root, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("volume %s: %w", name, err)
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{annProvisionedBy: VolumeProvisioner}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   pvc.Spec.AccessModes,
			VolumeMode:                    pvc.Spec.VolumeMode,
			StorageClassName:              sc.Name,
			PersistentVolumeReclaimPolicy: ptr.Deref(sc.ReclaimPolicy, corev1.PersistentVolumeReclaimDelete),
			MountOptions:                  sc.MountOptions,
			ClaimRef: &corev1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID, ResourceVersion: pvc.ResourceVersion,
			},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: dir, Type: ptr.To(corev1.HostPathDirectory)},
			},
		},
	}
	_, err := p.client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create PV %s for %s/%s: %w", name, pvc.Namespace, pvc.Name, err)
	}
	return nil
}

// expand grows the claim's PV and then the claim's status capacity when the
// claim requests more than it has. A simulated volume has no file system to
// grow on a node, so the resize completes in one step.
func (p *volumeProvisioner) expand(ctx context.Context, pvc *corev1.PersistentVolumeClaim, sc *storagev1.StorageClass) error {
	want, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	have := pvc.Status.Capacity[corev1.ResourceStorage]
	if !ok || pvc.Status.Phase != corev1.ClaimBound || want.Cmp(have) <= 0 || !ptr.Deref(sc.AllowVolumeExpansion, false) {
		return nil
	}
	pv, err := p.volumes.Get(pvc.Spec.VolumeName)
	if err != nil {
		return err
	}
	if pv.Annotations[annProvisionedBy] != VolumeProvisioner {
		return nil
	}
	if cur := pv.Spec.Capacity[corev1.ResourceStorage]; cur.Cmp(want) < 0 {
		pv = pv.DeepCopy()
		pv.Spec.Capacity[corev1.ResourceStorage] = want
		if _, err := p.client.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("expand PV %s: %w", pv.Name, err)
		}
	}
	pvc = pvc.DeepCopy()
	pvc.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: want}
	pvc.Status.AllocatedResources = corev1.ResourceList{corev1.ResourceStorage: want}
	pvc.Status.AllocatedResourceStatuses = nil
	conds := pvc.Status.Conditions[:0]
	for _, c := range pvc.Status.Conditions {
		if c.Type != corev1.PersistentVolumeClaimResizing && c.Type != corev1.PersistentVolumeClaimFileSystemResizePending {
			conds = append(conds, c)
		}
	}
	pvc.Status.Conditions = conds
	if _, err := p.client.CoreV1().PersistentVolumeClaims(pvc.Namespace).UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("expand %s/%s: %w", pvc.Namespace, pvc.Name, err)
	}
	return nil
}

// syncVolume reclaims a Released volume of this provisioner whose policy
// is Delete: its directory, then the PV object.
func (p *volumeProvisioner) syncVolume(ctx context.Context, name string) error {
	pv, err := p.volumes.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if pv.Annotations[annProvisionedBy] != VolumeProvisioner || pv.DeletionTimestamp != nil ||
		pv.Status.Phase != corev1.VolumeReleased || pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		return nil
	}
	if err := p.removeDir(pv); err != nil {
		return err
	}
	err = p.client.CoreV1().PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &pv.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete PV %s: %w", name, err)
	}
	return nil
}

// removeDir deletes a volume's directory, only ever one directly under root.
func (p *volumeProvisioner) removeDir(pv *corev1.PersistentVolume) error {
	if pv.Spec.HostPath == nil {
		return nil
	}
	dir := filepath.Clean(pv.Spec.HostPath.Path)
	if filepath.Dir(dir) != filepath.Clean(p.root) || filepath.Base(dir) != pv.Name {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("reclaim volume %s: %w", pv.Name, err)
	}
	return nil
}
