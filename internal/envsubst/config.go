package envsubst

import (
	"fmt"
	"path/filepath"
)

// The variables of the official nginx image's template step, and their
// defaults there. The output directories differ: the image writes into
// /etc/nginx, which is read-only here, so nginit writes into its runtime
// directory instead.
const (
	envTemplateDir      = "NGINX_ENVSUBST_TEMPLATE_DIR"
	envSuffix           = "NGINX_ENVSUBST_TEMPLATE_SUFFIX"
	envOutputDir        = "NGINX_ENVSUBST_OUTPUT_DIR"
	envStreamSuffix     = "NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX"
	envStreamOutputDir  = "NGINX_ENVSUBST_STREAM_OUTPUT_DIR"
	envFilter           = "NGINX_ENVSUBST_FILTER"
	defaultTemplateDir  = "/etc/nginx/templates"
	defaultSuffix       = ".template"
	defaultStreamSuffix = ".stream-template"
	defaultOutputName   = "conf.d"
	defaultStreamOutput = "stream-conf.d"
)

// Config is the template directory, the suffixes that mark templates and
// the output directories for their rendered files.
type Config struct {
	// TemplateDir is searched recursively for templates.
	TemplateDir string
	// Suffix marks an http template. It is removed from the output's name:
	// default.conf.template renders to default.conf.
	Suffix string
	// OutputDir receives the http templates, keeping their subdirectories.
	OutputDir string
	// StreamSuffix marks a stream template.
	StreamSuffix string
	// StreamOutputDir receives the stream templates.
	StreamOutputDir string
	// Filter selects the environment variables that templates may use. A
	// nil Filter selects every variable.
	Filter *Filter
	// RuntimeDir is nginit's runtime directory, or "" for none. An output
	// directory that is its default there, conf.d or stream-conf.d inside
	// RuntimeDir, holds only rendered files, so Render removes the files in
	// it that no template renders to any more.
	RuntimeDir string
}

// LoadConfig reads the NGINX_ENVSUBST_* variables with lookupEnv (os.LookupEnv
// in production). As in the official image, an empty variable means its
// default. The output directories default to conf.d and stream-conf.d inside
// runtimeDir.
func LoadConfig(lookupEnv func(string) (string, bool), runtimeDir string) (Config, error) {
	get := func(name, def string) string {
		if value, ok := lookupEnv(name); ok && value != "" {
			return value
		}
		return def
	}

	c := Config{
		TemplateDir:     get(envTemplateDir, defaultTemplateDir),
		Suffix:          get(envSuffix, defaultSuffix),
		OutputDir:       get(envOutputDir, filepath.Join(runtimeDir, defaultOutputName)),
		StreamSuffix:    get(envStreamSuffix, defaultStreamSuffix),
		StreamOutputDir: get(envStreamOutputDir, filepath.Join(runtimeDir, defaultStreamOutput)),
		RuntimeDir:      runtimeDir,
	}

	for _, dir := range []struct{ name, value string }{
		{envTemplateDir, c.TemplateDir},
		{envOutputDir, c.OutputDir},
		{envStreamOutputDir, c.StreamOutputDir},
	} {
		if !filepath.IsAbs(dir.value) {
			return Config{}, fmt.Errorf("invalid %s=%q: want an absolute path", dir.name, dir.value)
		}
	}

	if filter := get(envFilter, ""); filter != "" {
		f, err := ParseFilter(filter)
		if err != nil {
			return Config{}, fmt.Errorf("invalid %s=%q: %w: want a name part such as APP_, "+
				"optionally anchored as ^APP_ or _URL$, or several joined by | as in ^APP_|^NGINX_", envFilter, filter, err)
		}
		c.Filter = f
	}
	return c, nil
}
