package measure

import (
	"fmt"
	"math"
	"time"
)

// kube-burner measurement names.
const (
	PodLatencyMetric          = "podLatencyMeasurement"
	PodLatencyQuantilesMetric = "podLatencyQuantilesMeasurement"
)

// Condition names used as kube-burner quantileName values.
const (
	CondScheduled              = "PodScheduled"
	CondReadyToStartContainers = "PodReadyToStartContainers"
	CondInitialized            = "Initialized"
	CondContainersReady        = "ContainersReady"
	// CondContainersStarted is kube-burner v2's: the kubelet's last Started
	// event of the pod.
	CondContainersStarted = "ContainersStarted"
	CondReady             = "Ready"
)

// PodConditions lists the conditions podLatency reports, in output order.
var PodConditions = []string{CondScheduled, CondReadyToStartContainers, CondInitialized, CondContainersStarted, CondContainersReady, CondReady}

// PodLatency is one pod's document in podLatencyMeasurement-<job>.json, with
// kube-burner's field names; latencies in milliseconds from creation.
type PodLatency struct {
	Timestamp                     time.Time `json:"timestamp"`
	SchedulingLatency             int       `json:"schedulingLatency"`
	InitializedLatency            int       `json:"initializedLatency"`
	ContainersReadyLatency        int       `json:"containersReadyLatency"`
	PodReadyLatency               int       `json:"podReadyLatency"`
	ContainersStartedLatency      int       `json:"containersStartedLatency"`
	ReadyToStartContainersLatency int       `json:"readyToStartContainersLatency"`
	MetricName                    string    `json:"metricName"`
	UUID                          string    `json:"uuid"`
	JobName                       string    `json:"jobName,omitempty"`
	JobIteration                  int       `json:"jobIteration"`
	Replica                       int       `json:"replica"`
	Namespace                     string    `json:"namespace"`
	Name                          string    `json:"podName"`
	NodeName                      string    `json:"nodeName"`
	Metadata                      any       `json:"metadata,omitempty"`
}

// LatencyQuantiles is one document of podLatencyQuantilesMeasurement-<job>.json
// (kube-burner's field names), in milliseconds.
type LatencyQuantiles struct {
	QuantileName string    `json:"quantileName"`
	UUID         string    `json:"uuid"`
	P99          int       `json:"P99"`
	P95          int       `json:"P95"`
	P50          int       `json:"P50"`
	Min          int       `json:"min"`
	Max          int       `json:"max"`
	Avg          int       `json:"avg"`
	Timestamp    time.Time `json:"timestamp"`
	MetricName   string    `json:"metricName"`
	JobName      string    `json:"jobName,omitempty"`
	Metadata     any       `json:"metadata,omitempty"`
}

func msSince(from, to time.Time) int {
	if to.IsZero() {
		return 0
	}
	d := to.Sub(from).Milliseconds()
	if d < 0 { // second-precision timestamps; kube-burner clamps too
		return 0
	}
	return int(d)
}

// PodLatencies computes kube-burner's podLatency documents and quantiles from
// tracked pods. As in kube-burner, pods that never became Ready are left out.
func PodLatencies(pods []PodTimes, uuid, job string, now time.Time) ([]PodLatency, []LatencyQuantiles) {
	docs := make([]PodLatency, 0, len(pods))
	per := map[string][]float64{}
	for _, p := range pods {
		if p.Ready.IsZero() {
			continue
		}
		d := PodLatency{
			Timestamp:                     p.Created,
			SchedulingLatency:             msSince(p.Created, p.Scheduled),
			InitializedLatency:            msSince(p.Created, p.Initialized),
			ContainersReadyLatency:        msSince(p.Created, p.ContainersReady),
			PodReadyLatency:               msSince(p.Created, p.Ready),
			ReadyToStartContainersLatency: msSince(p.Created, p.ReadyToStartContainers),
			ContainersStartedLatency:      msSince(p.Created, p.ContainersStarted),
			MetricName:                    PodLatencyMetric,
			UUID:                          uuid, JobName: job,
			JobIteration: p.JobIteration, Replica: p.Replica,
			Namespace: p.Namespace, Name: p.Name, NodeName: p.Node,
		}
		docs = append(docs, d)
		if len(per) == 0 { // every condition gets a value per document
			for _, c := range PodConditions {
				per[c] = make([]float64, 0, len(pods))
			}
		}
		per[CondScheduled] = append(per[CondScheduled], float64(d.SchedulingLatency))
		per[CondReadyToStartContainers] = append(per[CondReadyToStartContainers], float64(d.ReadyToStartContainersLatency))
		per[CondInitialized] = append(per[CondInitialized], float64(d.InitializedLatency))
		per[CondContainersStarted] = append(per[CondContainersStarted], float64(d.ContainersStartedLatency))
		per[CondContainersReady] = append(per[CondContainersReady], float64(d.ContainersReadyLatency))
		per[CondReady] = append(per[CondReady], float64(d.PodReadyLatency))
	}
	return docs, latencyQuantiles(PodLatencyQuantilesMetric, uuid, job, now, PodConditions, per)
}

// latencyQuantiles summarizes per-condition latencies into kube-burner's
// quantile documents, in the given order, leaving out conditions without
// values.
func latencyQuantiles(metric, uuid, job string, now time.Time, order []string, per map[string][]float64) []LatencyQuantiles {
	var qs []LatencyQuantiles
	for _, c := range order {
		v, ok := per[c]
		if !ok {
			continue
		}
		s := Summarize(v)
		qs = append(qs, LatencyQuantiles{
			QuantileName: c, UUID: uuid, JobName: job, Timestamp: now.UTC(), MetricName: metric,
			P99: int(s.P99), P95: int(s.P95), P50: int(s.P50), Min: int(s.Min), Max: int(s.Max), Avg: int(math.Round(s.Avg)),
		})
	}
	return qs
}

// Threshold is kube-burner's latency threshold: conditionType, metric (P50,
// P95, P99, min, max or avg) and the highest accepted value.
type Threshold struct {
	ConditionType string        `yaml:"conditionType" json:"conditionType"`
	Metric        string        `yaml:"metric" json:"metric"`
	Threshold     time.Duration `yaml:"threshold" json:"threshold"`
}

// Value returns the named metric of q in milliseconds.
func (q LatencyQuantiles) Value(metric string) (int, error) {
	switch metric {
	case "P99":
		return q.P99, nil
	case "P95":
		return q.P95, nil
	case "P50":
		return q.P50, nil
	case "Min", "min":
		return q.Min, nil
	case "Max", "max":
		return q.Max, nil
	case "Avg", "avg":
		return q.Avg, nil
	}
	return 0, fmt.Errorf("unknown metric %q (want P50, P95, P99, min, max or avg)", metric)
}

// ThresholdChecks judges kube-burner latency thresholds against quantiles:
// one check per threshold and matching quantile. A failed check's Detail is
// kube-burner's error text, prefixed by the measurement name.
func ThresholdChecks(measurement string, th []Threshold, qs []LatencyQuantiles) []Check {
	var out []Check
	for _, t := range th {
		for _, q := range qs {
			if q.QuantileName != t.ConditionType {
				continue
			}
			name := fmt.Sprintf("%s %s %s", measurement, t.Metric, t.ConditionType)
			v, err := q.Value(t.Metric)
			if err != nil {
				out = append(out, Check{Name: name, Detail: err.Error(), Enforced: true})
				continue
			}
			c := Check{Name: name, Pass: int64(v) <= t.Threshold.Milliseconds(), Enforced: true,
				Detail: fmt.Sprintf("%dms <= %v", v, t.Threshold)}
			if !c.Pass {
				c.Detail = fmt.Sprintf("%s: %s %s latency (%.2fs) higher than configured threshold: %v",
					measurement, t.Metric, t.ConditionType, float64(v)/1000, t.Threshold)
			}
			out = append(out, c)
		}
	}
	return out
}
