package dashscope

import (
	"net/http"
	"testing"
	"time"
)

// FuzzDecode feeds arbitrary bodies to every decoder of an API answer:
// the success envelope, the deployment and list page outputs, and the
// error parser. None may panic; whatever they accept must be usable.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		ok(muDeployment("emo-35b3f106-sample01", 2)),
		`{"request_id":"r","output":{"page_no":1,"page_size":200,"total":2,"deployments":[{"deployed_model":"a"},{"deployed_model":"b","plan":"ptu","ptu_capacity":{"input_tpm":1,"output_tpm":2}}]}}`,
		`{"data":{"deployed_model":"d","ptu_capacity":{"input_tpm_quota":1,"output_tpm_quota":2,"thinking_output_tpm":3}}}`,
		`{"request_id":"BE213CDD-8A5C-59EE-9A67-055EAB0CB59B","code":"NotFound","message":"Not found."}`,
		`{"output":{"total":-5}}`,
		`{"output":null,"data":[]}`,
		`<html><body>502 Bad Gateway</body></html>`,
		`{"output":{"deployed_model":"d","capacity":1e40}}`,
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if e := parseError(503, http.Header{}, body, testKey, time.Time{}); len(e.Body) > maxQuote || e.Error() == "" {
			t.Fatalf("parseError: body of %d bytes, message %q", len(e.Body), e.Error())
		}
		out, _, err := decodeEnvelope(body)
		if err != nil {
			return
		}
		if isAbsent(out) {
			t.Fatalf("decodeEnvelope accepted %q with no output", body)
		}
		if d, err := decodeDeployment(out); err == nil {
			l := d.live(testWS)
			if l.ID == "" || l.Workspace != testWS {
				t.Fatalf("decodeDeployment accepted %q as %+v", body, l)
			}
		}
		if p, err := decodeListPage(out); err == nil {
			if p.Deployments == nil && (p.Total == nil || *p.Total != 0) {
				t.Fatalf("decodeListPage accepted %q without deployments", body)
			}
			if p.Deployments != nil {
				for _, d := range *p.Deployments {
					if d.live(testWS).ID == "" {
						t.Fatalf("decodeListPage accepted an item without id in %q", body)
					}
				}
			}
		}
	})
}
