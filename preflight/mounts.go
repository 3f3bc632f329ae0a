package preflight

import (
	"fmt"

	"github.com/nginit/nginit/fsprep"
)

// checkRootFilesystem reports whether the root filesystem is read-only. A
// writable root is not an error, but it lets nginx, or an attacker who takes
// nginx over, modify the image's files at run time.
func checkRootFilesystem(r *Report, p Process) {
	readOnly, err := fsprep.IsReadOnly("/")
	if err != nil {
		return
	}
	if readOnly {
		r.add(Finding{
			Check:    "mount.read-only-root",
			Severity: Info,
			Subject:  "/",
			Message:  "the root filesystem is read-only; everything nginx writes must be on a writable mount such as a tmpfs at /tmp",
		})
		return
	}
	r.add(Finding{
		Check:    "mount.writable-root",
		Severity: Info,
		Subject:  "/",
		Message:  fmt.Sprintf("the root filesystem is writable, so a compromised nginx running as %s could modify any image file that user owns", p.identity()),
		Fix:      "docker run --read-only --tmpfs /tmp, or readOnlyRootFilesystem: true in the container's securityContext",
	})
}
