package cluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestDefaultStorageClass(t *testing.T) {
	sc, err := kclient(t).StorageV1().StorageClasses().Get(context.Background(), DefaultStorageClass, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Annotations[annDefaultClass] != "true" || sc.Provisioner != VolumeProvisioner || !ptr.Deref(sc.AllowVolumeExpansion, false) {
		t.Fatalf("StorageClass %s: annotations %v, provisioner %q, allowVolumeExpansion %v", sc.Name, sc.Annotations, sc.Provisioner, sc.AllowVolumeExpansion)
	}
}

// A StatefulSet's volumeClaimTemplates get bound volumes (claims without a
// class get the default one), its pods run; a claim resized grows; a claim
// deleted has its volume and directory reclaimed.
func TestVolumesProvisionResizeReclaim(t *testing.T) {
	cl := sharedCluster(t)
	c := kclient(t)
	ns := namespace(t, c)
	ctx := context.Background()
	labels := map[string]string{"app": "vol"}
	ss := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: podTemplate(labels),
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}},
		},
	}
	if _, err := c.AppsV1().StatefulSets(ns).Create(ctx, ss, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "StatefulSet pods Running", func(ctx context.Context) (bool, error) {
		n, err := countPods(ctx, c, ns, corev1.PodRunning)
		return n == 2, err
	})
	pvcs := c.CoreV1().PersistentVolumeClaims(ns)
	claim, err := pvcs.Get(ctx, "data-web-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if claim.Status.Phase != corev1.ClaimBound || ptr.Deref(claim.Spec.StorageClassName, "") != DefaultStorageClass {
		t.Fatalf("claim data-web-0: phase %s, class %v", claim.Status.Phase, claim.Spec.StorageClassName)
	}
	dir := filepath.Join(cl.DataDir(), "volumes", claim.Spec.VolumeName)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("volume directory: %v", err)
	}

	claim.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("3Gi")
	if _, err := pvcs.Update(ctx, claim, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := resource.MustParse("3Gi")
	eventually(t, 30*time.Second, "claim resized to 3Gi", func(ctx context.Context) (bool, error) {
		got, err := pvcs.Get(ctx, "data-web-0", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		capacity := got.Status.Capacity[corev1.ResourceStorage]
		return capacity.Cmp(want) == 0, nil
	})
	pv, err := c.CoreV1().PersistentVolumes().Get(ctx, claim.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pv.Spec.Capacity[corev1.ResourceStorage]; got.Cmp(want) != 0 {
		t.Errorf("PV capacity %s after resize, want 3Gi", got.String())
	}

	// A claim in use keeps its volume (pvc-protection) until the pod is gone.
	if err := c.AppsV1().StatefulSets(ns).Delete(ctx, "web", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)}); err != nil {
		t.Fatal(err)
	}
	if err := pvcs.Delete(ctx, "data-web-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "volume reclaimed", func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().PersistentVolumes().Get(ctx, pv.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("volume directory %s still there after reclaim (%v)", dir, err)
	}
}
