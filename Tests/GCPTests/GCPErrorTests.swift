import Curl
import GCP
import Testing

@Suite("Google error envelope and GCPError classification")
struct GCPErrorTests {
    @Test("Decodes Google's envelope")
    func envelope() {
        let body = Array(#"{"error":{"code":409,"message":"etag mismatch","status":"ABORTED","details":[{"@type":"x"}]}}"#.utf8)
        #expect(GoogleErrorEnvelope(decoding: body) == GoogleErrorEnvelope(code: 409, status: "ABORTED", message: "etag mismatch"))
        let error = GCPError(operation: "run.services.patch", httpStatus: 409, body: body)
        #expect(error.code == .http)
        #expect(error.status == "ABORTED")
        #expect(error.message == "etag mismatch")
        #expect(error.isConflict)
        #expect(!error.isRetriable)
        #expect(error.description == "GCPError(http) run.services.patch HTTP 409 ABORTED: etag mismatch")
    }

    @Test("A body that is no envelope still gives a usable error", arguments: ["<html>bad gateway</html>", "", #"{"error":"invalid_grant"}"#])
    func notAnEnvelope(body: String) {
        #expect(GoogleErrorEnvelope(decoding: Array(body.utf8)) == nil)
        let error = GCPError(operation: nil, httpStatus: 502, body: Array(body.utf8))
        #expect(error.message == "HTTP 502")
        #expect(error.isRetriable)
    }

    @Test("Retriable statuses", arguments: [408, 429, 500, 502, 503, 504])
    func retriable(status: Int) {
        #expect(GCPError(operation: nil, httpStatus: status, body: []).isRetriable)
    }

    @Test("Terminal statuses", arguments: [400, 401, 403, 404, 409, 412])
    func terminal(status: Int) {
        #expect(!GCPError(operation: nil, httpStatus: status, body: []).isRetriable)
    }

    @Test("Transport failures are retriable unless TLS, size or cancellation")
    func transport() {
        let timeout = GCPError(code: .transport, message: "", transport: CurlError(code: .timeout, message: ""))
        let tls = GCPError(code: .transport, message: "", transport: CurlError(code: .tls, message: ""))
        #expect(timeout.isRetriable)
        #expect(!tls.isRetriable)
    }
}
