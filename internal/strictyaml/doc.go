// Package strictyaml is the one way perflab reads its YAML inputs (kube-burner
// and ClusterLoader2 configs, templates, overrides, metric and alert
// profiles, metrics endpoints, Helm values): parsing within limits that
// hostile input cannot get past (size, alias expansion, nesting), syntax
// errors at the line where the parser found the fault, known-field checking
// from the Go types, and one error type that names file, line, column and
// field path.
package strictyaml
