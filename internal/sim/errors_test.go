package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrors(t *testing.T) {
	stopped := mu(wsProd, "stopped", 1, 1)
	stopped.Status = "STOPPED"
	locked := mu(wsProd, "locked", 1, 1)
	locked.RejectScale = &APIError{Status: 403, Code: "AccessDenied", Message: "Access denied."}
	lora := Deployment{WorkspaceID: wsProd, DeployedModel: "ft-lora", ModelName: "qwen3-8b-ft", Plan: PlanLoRA}
	f := newFixture(t, Config{},
		mu(wsProd, "m", 4, 8), ptu(wsProd, "p", 10000, 1000), stopped, locked, lora)

	const capMsg = "Invalid capacity (%s), capacity must be larger than or equal to 0 and multiples of 4 and less than 1000!"
	badCap := func(v string) errorBody {
		return errorBody{400, "InvalidParameter", strings.Replace(capMsg, "%s", v, 1)}
	}
	invalidParam := func(msg string) errorBody { return errorBody{400, "InvalidParameter", msg} }
	scalePath := func(id string) string { return testPrefix + "/" + id + "/scale" }

	tests := map[string]struct {
		req  request
		want errorBody
	}{
		"no key":       {request{method: "GET", path: testPrefix}, errorBody{401, "InvalidApiKey", "Invalid API-key provided."}},
		"unknown key":  {request{method: "GET", path: testPrefix, key: "sk-nope"}, errorBody{401, "InvalidApiKey", "Invalid API-key provided."}},
		"key on scale": {request{method: "PUT", path: scalePath("m"), key: "sk-nope", body: `{"capacity":4}`}, errorBody{401, "InvalidApiKey", "Invalid API-key provided."}},
		"foreign workspace": {request{method: "GET", path: testPrefix, key: keyProd, ws: wsStaging},
			errorBody{403, "Workspace.AccessDenied", "Workspace access denied"}},
		"unknown workspace": {request{method: "GET", path: testPrefix + "/m", key: keyMulti, ws: wsOther},
			errorBody{403, "Workspace.AccessDenied", "Workspace access denied"}},
		"get unknown":       {request{method: "GET", path: testPrefix + "/nope", key: keyProd}, errorBody{404, "NotFound", "Model: nope not found!"}},
		"get other ws":      {request{method: "GET", path: testPrefix + "/m", key: keyMulti}, errorBody{404, "NotFound", "Model: m not found!"}},
		"scale unknown":     {request{method: "PUT", path: scalePath("nope"), key: keyProd, body: `{"capacity":4}`}, errorBody{404, "NotFound", "Model: nope not found!"}},
		"delete unknown":    {request{method: "DELETE", path: testPrefix + "/nope", key: keyProd}, errorBody{404, "NotFound", "Model: nope not found!"}},
		"unknown route":     {request{method: "GET", path: "/api/v1/other", key: keyProd}, errorBody{404, "NotFound", "Not found!"}},
		"unknown sub-route": {request{method: "PUT", path: testPrefix + "/m/update", key: keyProd}, errorBody{404, "NotFound", "Not found!"}},
		"trailing slash":    {request{method: "GET", path: testPrefix + "/", key: keyProd}, errorBody{404, "NotFound", "Not found!"}},
		"method on list": {request{method: "DELETE", path: testPrefix, key: keyProd},
			errorBody{405, "MethodNotAllowed", "Method DELETE is not allowed on /api/v1/deployments."}},
		"method on one": {request{method: "PUT", path: testPrefix + "/m", key: keyProd},
			errorBody{405, "MethodNotAllowed", "Method PUT is not allowed on /api/v1/deployments/m."}},
		"method on scale": {request{method: "POST", path: scalePath("m"), key: keyProd},
			errorBody{405, "MethodNotAllowed", "Method POST is not allowed on /api/v1/deployments/m/scale."}},

		"malformed json":  {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":`}, invalidParam("Invalid request body, it must be a JSON object.")},
		"empty body":      {request{method: "PUT", path: scalePath("m"), key: keyProd}, invalidParam("Invalid request body, it must be a JSON object.")},
		"array body":      {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `[4]`}, invalidParam("Invalid request body, it must be a JSON object.")},
		"null body":       {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `null`}, invalidParam("Invalid request body, it must be a JSON object.")},
		"no capacity":     {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{}`}, invalidParam(`Missing capacity: a deployment with plan mu is scaled with {"capacity": N}.`)},
		"capacity string": {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":"8"}`}, badCap(`"8"`)},
		"capacity float":  {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":8.5}`}, badCap("8.5")},
		"capacity 8.0":    {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":8.0}`}, badCap("8.0")},
		"capacity null":   {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":null}`}, badCap("null")},
		"capacity -4":     {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":-4}`}, badCap("-4")},
		"capacity 1000":   {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":1000}`}, badCap("1000")},
		"not a multiple":  {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":6}`}, badCap("6")},
		"mu given ptu": {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"ptu_capacity":{"input_tpm":1,"output_tpm":1}}`},
			invalidParam("Deployment m has plan mu: scale it with capacity, not ptu_capacity.")},
		"mu given top-level tpm": {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":4,"input_tpm":1}`},
			invalidParam("Deployment m has plan mu: scale it with capacity, not ptu_capacity.")},
		"ptu given capacity": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"capacity":4}`},
			invalidParam("Deployment p has plan ptu: scale it with ptu_capacity, not capacity.")},
		"ptu missing":   {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{}`}, invalidParam("Miss ptu capacity info")},
		"ptu no output": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"ptu_capacity":{"input_tpm":5}}`}, invalidParam("Miss ptu capacity info: ptu_capacity needs input_tpm and output_tpm.")},
		"ptu zero input": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"ptu_capacity":{"input_tpm":0,"output_tpm":5}}`},
			invalidParam("Invalid ptu_capacity.input_tpm (0), it must be an integer larger than 0.")},
		"ptu string output": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"ptu_capacity":{"input_tpm":5,"output_tpm":"5"}}`},
			invalidParam(`Invalid ptu_capacity.output_tpm ("5"), it must be an integer larger than 0.`)},
		"ptu negative thinking": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"ptu_capacity":{"input_tpm":5,"output_tpm":5,"thinking_output_tpm":-1}}`},
			invalidParam("Invalid ptu_capacity.thinking_output_tpm (-1), it must be an integer larger than or equal to 0.")},
		"ptu unknown field": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"ptu_capacity":{"input_tpm":5,"output_tpm":5,"thinking_tpm":1}}`},
			invalidParam("Unknown field ptu_capacity.thinking_tpm.")},
		"ptu not object": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"ptu_capacity":5}`}, invalidParam("Invalid ptu_capacity, it must be a JSON object.")},
		"ptu both forms": {request{method: "PUT", path: scalePath("p"), key: keyProd, body: `{"ptu_capacity":{"input_tpm":5,"output_tpm":5},"input_tpm":5}`},
			invalidParam("Give either ptu_capacity or top-level input_tpm/output_tpm, not both.")},
		"lora":          {request{method: "PUT", path: scalePath("ft-lora"), key: keyProd, body: `{"capacity":1}`}, invalidParam("Deployment ft-lora with plan lora does not support scaling.")},
		"rejected":      {request{method: "PUT", path: scalePath("locked"), key: keyProd, body: `{"capacity":1}`}, errorBody{403, "AccessDenied", "Access denied."}},
		"stopped":       {request{method: "PUT", path: scalePath("stopped"), key: keyProd, body: `{"capacity":1}`}, errorBody{409, "Conflict", "Deployment stopped is STOPPED and cannot be scaled now."}},
		"body too big":  {request{method: "PUT", path: scalePath("m"), key: keyProd, body: `{"capacity":4,"pad":"` + strings.Repeat("x", maxBody) + `"}`}, invalidParam("Request body is larger than 1048576 bytes.")},
		"escaped id":    {request{method: "GET", path: testPrefix + "/a%2Fb", key: keyProd}, errorBody{404, "NotFound", "Model: a/b not found!"}},
		"scale via key": {request{method: "PUT", path: scalePath("m"), key: keyMulti, body: `{"capacity":4}`}, errorBody{404, "NotFound", "Model: m not found!"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := f.apiError(f.do(tt.req))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// None of the refused scales changed anything.
	for _, d := range f.sim.Dump() {
		if d.Status != StatusRunning && d.DeployedModel != "stopped" {
			t.Errorf("%s is %s after refused calls, want RUNNING", d.DeployedModel, d.Status)
		}
	}
}

func TestMethodNotAllowedHeader(t *testing.T) {
	f := newFixture(t, Config{})
	r := f.do(request{method: "PATCH", path: testPrefix + "/x/scale", key: keyProd})
	if got := r.header.Get("Allow"); got != "PUT" {
		t.Errorf("Allow = %q, want PUT", got)
	}
}

func TestAuthScheme(t *testing.T) {
	f := newFixture(t, Config{})
	req, _ := http.NewRequest("GET", f.srv.URL+testPrefix, nil)
	for _, auth := range []string{"bearer " + keyProd, "Bearer  " + keyProd} {
		req.Header.Set("Authorization", auth)
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("Authorization %q: status %d, want 200", auth, resp.StatusCode)
		}
	}
	req.Header.Set("Authorization", keyProd)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("Authorization without scheme: status %d, want 401", resp.StatusCode)
	}
}
