package results

import (
	"strings"
	"time"
)

// PerfData is the perfdash file format (as ClusterLoader2 writes it):
// {version, dataItems[{data:{Perc50,Perc90,Perc99}, unit, labels}]}.
type PerfData struct {
	Version   string            `json:"version"`
	DataItems []DataItem        `json:"dataItems"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// DataItem is one series of a PerfData file: buckets such as Perc50 mapped
// to values in Unit, identified by Labels.
type DataItem struct {
	Data   map[string]float64 `json:"data"`
	Unit   string             `json:"unit"`
	Labels map[string]string  `json:"labels,omitempty"`
}

// PerfdashFileName is ClusterLoader2's report file name:
// <summary>_<test name>_<RFC3339 UTC>.<ext>.
func PerfdashFileName(summary, test string, t time.Time, ext string) string {
	return strings.Join([]string{summary, test, t.UTC().Format(time.RFC3339)}, "_") + "." + ext
}
