package e2e

import (
	"net/http"
	"testing"
)

// TestRedirectOnlyServerStarts runs nginx with the official image's prefix,
// /etc/nginx, under which nginx's default root /etc/nginx/html does not
// exist. A server that responds to every request at server level never opens
// it, and roots that are missing at start (a PHP backend's, a webroot
// mounted later) make nginx respond 404, not fail, so nginx must start.
func TestRedirectOnlyServerStarts(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	conf := `error_log stderr notice;
events {}
http {
    access_log off;
` + tempPathsConf + `
    server {
        listen 8080;
        return 204;
    }
    server {
        listen unix:/tmp/app.sock;
        root /usr/share/nginx/html;
        location ~ \.php$ { root /srv/app; fastcgi_pass unix:/tmp/php.sock; }
        location /.well-known/acme-challenge/ { root /var/www/certbot; }
    }
}
`
	opts := caseOptions(t, conf)
	opts.Args = []string{"/nginit", "nginx", "-p", "/etc/nginx/", "-g", "daemon off;"}
	c, _ := startNginit(t, opts)

	status, _, err := c.Get("/")
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusNoContent {
		t.Errorf("GET / status = %d, want %d", status, http.StatusNoContent)
	}
	out := c.Output()
	if contains(out, "/srv/app") {
		t.Errorf("nginit reported the root of a fastcgi_pass location:\n%s", out)
	}
	if !contains(out, "/var/www/certbot") {
		t.Errorf("nginit output lacks the missing webroot /var/www/certbot as a warning:\n%s", out)
	}
}
