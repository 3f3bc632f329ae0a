package nginxconf

import "strings"

// singleMainDirectives are the main-context directives that nginx 1.22
// rejects when they are set a second time, with "directive is duplicate".
// Each was checked against nginx 1.22.1 by setting it both with -g and in
// the configuration file. Directives that may repeat, such as env,
// load_module, include and error_log (repeatable since nginx 1.5.2), are
// not listed, so they are never reported.
var singleMainDirectives = map[string]bool{
	"daemon":                  true,
	"debug_points":            true,
	"lock_file":               true,
	"master_process":          true,
	"pcre_jit":                true,
	"pid":                     true,
	"ssl_engine":              true,
	"timer_resolution":        true,
	"user":                    true,
	"worker_cpu_affinity":     true,
	"worker_priority":         true,
	"worker_processes":        true,
	"worker_rlimit_core":      true,
	"worker_rlimit_nofile":    true,
	"worker_shutdown_timeout": true,
	"working_directory":       true,
}

// Duplicate is a main-context directive set both in the -g text and in the
// configuration, which nginx rejects at start with "[emerg] ... directive is
// duplicate" and exit status 1.
type Duplicate struct {
	Name string

	// Param is the directive as given with -g, and Config the one in the
	// configuration file that nginx rejects.
	Param  *Directive
	Config *Directive
}

// DuplicateParams returns each directive of cmd's -g text that the
// configuration cfg sets again at main level, in the order of the
// configuration. nginx reads the -g text first, into the same main context
// (ngx_conf_param runs before ngx_conf_parse of the file), so the
// directive in the file is the second one and fails.
//
// Only directives known to be single are reported: those in
// singleMainDirectives, and thread_pool with a name already used.
// worker_priority is reported only when the -g value is not zero, because
// nginx 1.22 takes a priority of zero for "unset". cfg and cmd may be nil.
func DuplicateParams(cfg *Config, cmd *CommandLine) []Duplicate {
	if cfg == nil || cmd == nil {
		return nil
	}
	params := map[string]*Directive{}
	for _, d := range cmd.Directives {
		key, ok := singleKey(d)
		if !ok || (d.Name == "worker_priority" && isZeroPriority(d)) {
			continue
		}
		if _, seen := params[key]; !seen {
			params[key] = d
		}
	}
	if len(params) == 0 {
		return nil
	}

	var found []Duplicate
	for _, d := range cfg.Directives {
		key, ok := singleKey(d)
		if !ok {
			continue
		}
		if p := params[key]; p != nil {
			found = append(found, Duplicate{Name: d.Name, Param: p, Config: d})
		}
	}
	return found
}

// singleKey returns the key under which a second d is a duplicate, and
// false for a directive that may repeat.
func singleKey(d *Directive) (string, bool) {
	switch {
	case d.Block != nil:
		return "", false
	case d.Name == "thread_pool":
		// nginx rejects a second pool of the same name: "duplicate thread
		// pool". Pools with different names may coexist.
		if len(d.Args) == 0 {
			return "", false
		}
		return "thread_pool " + d.Args[0], true
	case singleMainDirectives[d.Name]:
		return d.Name, true
	}
	return "", false
}

// isZeroPriority reports whether a worker_priority directive sets zero,
// which nginx 1.22 cannot tell from "unset" when it meets a second one.
func isZeroPriority(d *Directive) bool {
	return len(d.Args) > 0 && strings.Trim(d.Args[0], "+-0") == ""
}
