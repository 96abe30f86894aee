package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	schedconfig "k8s.io/kubernetes/pkg/scheduler/apis/config"
	schedscheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
)

func TestSchedulerConfig(t *testing.T) {
	tests := []struct {
		name    string
		file    string // the user's --scheduler-config, if any
		opts    Options
		want    func(*schedconfig.KubeSchedulerConfiguration) string
		wantErr string
	}{{
		name: "no default spreading",
		opts: Options{SchedulerDefaultSpreading: SpreadingNone},
		want: func(c *schedconfig.KubeSchedulerConfiguration) string {
			if len(c.Profiles) != 1 || c.Profiles[0].SchedulerName != "default-scheduler" {
				return fmt.Sprintf("profiles %+v, want default-scheduler alone", c.Profiles)
			}
			return checkSpreading(c.Profiles[0], schedconfig.ListDefaulting, 0)
		},
	}, {
		name: "system spreading is the scheduler's default",
		opts: Options{SchedulerPercentageOfNodesToScore: 5},
		want: func(c *schedconfig.KubeSchedulerConfiguration) string {
			if c.PercentageOfNodesToScore == nil || *c.PercentageOfNodesToScore != 5 {
				return fmt.Sprintf("percentageOfNodesToScore %v, want 5", c.PercentageOfNodesToScore)
			}
			return checkSpreading(c.Profiles[0], schedconfig.SystemDefaulting, 0)
		},
	}, {
		name: "user file kept, knobs win",
		file: `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
parallelism: 8
clientConnection:
  qps: 50
profiles:
- schedulerName: default-scheduler
- schedulerName: second
  pluginConfig:
  - name: PodTopologySpread
    args:
      defaultingType: List
      defaultConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: ScheduleAnyway
`,
		opts: Options{SchedulerDefaultSpreading: SpreadingNone, SchedulerPercentageOfNodesToScore: 10},
		want: func(c *schedconfig.KubeSchedulerConfiguration) string {
			switch {
			case c.Parallelism != 8 || *c.PercentageOfNodesToScore != 10:
				return fmt.Sprintf("parallelism %d, percentage %d: want the file's 8 and the flag's 10", c.Parallelism, *c.PercentageOfNodesToScore)
			case c.ClientConnection.QPS != 50 || c.ClientConnection.Burst != 1000:
				return fmt.Sprintf("qps %v burst %d: want the file's 50 and perflab's 1000", c.ClientConnection.QPS, c.ClientConnection.Burst)
			case len(c.Profiles) != 2:
				return fmt.Sprintf("%d profiles, want 2", len(c.Profiles))
			}
			if bad := checkSpreading(c.Profiles[0], schedconfig.ListDefaulting, 0); bad != "" {
				return bad
			}
			return checkSpreading(c.Profiles[1], schedconfig.ListDefaulting, 0)
		},
	}, {
		name:    "own kubeconfig refused",
		file:    "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nclientConnection:\n  kubeconfig: /etc/kubernetes/scheduler.conf\n",
		wantErr: "sched.yaml:4: clientConnection.kubeconfig: must be empty",
	}, {
		name:    "leader election refused",
		file:    "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nleaderElection:\n  leaderElect: true\n",
		wantErr: "sched.yaml:4: leaderElection.leaderElect: must be false",
	}, {
		name:    "unknown field",
		file:    "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n  plugin: {}\n",
		wantErr: `sched.yaml:5: profiles[0].plugin: unknown field "profiles[0].plugin"`,
	}, {
		name:    "invalid value",
		file:    "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 150\n",
		wantErr: "sched.yaml:3: percentageOfNodesToScore: Invalid value: 150",
	}, {
		name:    "flag out of range",
		opts:    Options{SchedulerPercentageOfNodesToScore: 101},
		wantErr: "--scheduler-percentage-of-nodes-to-score 101: must be between 0 and 100",
	}, {
		name:    "unknown spreading",
		opts:    Options{SchedulerDefaultSpreading: "zone"},
		wantErr: `--scheduler-default-spreading "zone": want system or none`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			if tt.file != "" {
				o.SchedulerConfig = filepath.Join(t.TempDir(), "sched.yaml")
				if err := os.WriteFile(o.SchedulerConfig, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := o.Validate()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Validate() = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := o.schedulerConfig("/data/kube-scheduler.kubeconfig")
			if err != nil {
				t.Fatal(err)
			}
			obj, _, err := schedscheme.Codecs.UniversalDecoder().Decode(data, nil, nil)
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			c := obj.(*schedconfig.KubeSchedulerConfiguration)
			if c.ClientConnection.Kubeconfig != "/data/kube-scheduler.kubeconfig" || c.LeaderElection.LeaderElect {
				t.Errorf("kubeconfig %q, leaderElect %v: want perflab's, false", c.ClientConnection.Kubeconfig, c.LeaderElection.LeaderElect)
			}
			if bad := tt.want(c); bad != "" {
				t.Errorf("%s\n%s", bad, data)
			}
		})
	}
}

// checkSpreading reports how profile p's PodTopologySpread args differ
// from the defaulting type and number of default constraints wanted.
func checkSpreading(p schedconfig.KubeSchedulerProfile, typ schedconfig.PodTopologySpreadConstraintsDefaulting, constraints int) string {
	for _, pc := range p.PluginConfig {
		if pc.Name != "PodTopologySpread" {
			continue
		}
		a, ok := pc.Args.(*schedconfig.PodTopologySpreadArgs)
		if !ok {
			return fmt.Sprintf("profile %s: PodTopologySpread args %T", p.SchedulerName, pc.Args)
		}
		if a.DefaultingType != typ || len(a.DefaultConstraints) != constraints {
			return fmt.Sprintf("profile %s: defaultingType %s with %d constraints, want %s with %d", p.SchedulerName, a.DefaultingType, len(a.DefaultConstraints), typ, constraints)
		}
		return ""
	}
	if typ == schedconfig.SystemDefaulting {
		return "" // the scheduler's defaults
	}
	return fmt.Sprintf("profile %s: no PodTopologySpread args", p.SchedulerName)
}

// schedulerConfigStep is the child step of TestSchedulerConfigFile.
const schedulerConfigStep = "scheduler-config"

// runSchedulerConfigChild starts a cluster whose scheduler runs from a
// --scheduler-config file with a second profile, and checks that a pod
// naming that profile is bound (the file is used, and the scheduler still
// acts as system:kube-scheduler) and that the written file is 0600.
func runSchedulerConfigChild(dir string) (code int) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	file := filepath.Join(dir, "sched.yaml")
	err := os.WriteFile(file, []byte("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: default-scheduler\n- schedulerName: perflab-second\n"), 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := Start(ctx, Options{Nodes: 1, SchedulerConfig: file, SchedulerDefaultSpreading: SpreadingNone})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child start:", err)
		return 2
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "child stop:", err)
			code = 1
		}
	}()
	if err := checkSecondProfile(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

func checkSecondProfile(ctx context.Context, c *Cluster) error {
	st, err := os.Stat(filepath.Join(c.DataDir(), "kube-scheduler-config.yaml"))
	if err != nil {
		return err
	}
	if st.Mode().Perm() != 0o600 {
		return fmt.Errorf("scheduler config mode %v, want 0600", st.Mode().Perm())
	}
	client := kubernetes.NewForConfigOrDie(c.RESTConfig())
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "second-profile"},
		Spec: corev1.PodSpec{
			SchedulerName: "perflab-second",
			Containers:    []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}},
		},
	}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := client.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return p.Spec.NodeName != "", nil
	})
}

// TestSchedulerConfigFile: a --scheduler-config file's second profile
// schedules pods, in a cluster of its own (child process).
func TestSchedulerConfigFile(t *testing.T) {
	skipShort(t)
	out, err := runChildProcess(t, schedulerConfigStep, t.TempDir())
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
