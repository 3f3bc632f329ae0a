package containertest

import "testing"

// New creates a container for opts in the test's temporary directory, and
// registers a cleanup that destroys it and logs its output. Errors fail the
// test.
func New(t testing.TB, opts Options) *Container {
	t.Helper()
	c, err := Create(t.TempDir(), t.Name(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Destroy(); err != nil {
			t.Errorf("destroy container %s: %v", c.ID, err)
		}
		t.Logf("container %s output:\n%s", c.ID, c.Output())
	})
	return c
}

// Run creates and starts a container for opts. Errors fail the test.
func Run(t testing.TB, opts Options) *Container {
	t.Helper()
	c := New(t, opts)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}
