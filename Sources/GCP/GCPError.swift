import Curl
import Foundation

/// A failed Google Cloud call, classified for the caller. It never carries a token, key or secret.
///
/// Decide from ``code``, ``httpStatus``, ``status`` and the flags, never from ``message``.
public struct GCPError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public var code: Code
    /// The call, e.g. `run.services.patch`; `nil` outside one.
    public var operation: String?
    /// The HTTP status, when the server answered.
    public var httpStatus: Int?
    /// Google's canonical status from the error envelope, e.g. `ABORTED`, `NOT_FOUND`.
    public var status: String?
    /// Google's message from the envelope, or a description of the failure.
    public var message: String
    /// The transport failure, for ``Code/transport``.
    public var transport: CurlError?

    public init(
        code: Code, operation: String? = nil, httpStatus: Int? = nil, status: String? = nil, message: String,
        transport: CurlError? = nil
    ) {
        self.code = code
        self.operation = operation
        self.httpStatus = httpStatus
        self.status = status
        self.message = message
        self.transport = transport
    }

    /// An error from an HTTP status and the body, decoding Google's envelope when there is one.
    public init(operation: String?, httpStatus: Int, body: [UInt8]) {
        let envelope = GoogleErrorEnvelope(decoding: body)
        self.init(
            code: .http, operation: operation, httpStatus: httpStatus, status: envelope?.status,
            message: envelope?.message ?? "HTTP \(httpStatus)")
    }

    /// 409 or `ABORTED`: someone else changed the resource (an etag conflict). Re-read, re-decide, retry.
    public var isConflict: Bool { self.httpStatus == 409 || self.status == "ABORTED" }

    /// 404 or `NOT_FOUND`.
    public var isNotFound: Bool { self.httpStatus == 404 || self.status == "NOT_FOUND" }

    /// The same call may succeed later: 408, 429, 500, 502, 503, 504, or a retriable transport failure.
    public var isRetriable: Bool {
        switch self.code {
        case .http: return self.httpStatus.map(RetryPolicy.defaultRetryableStatuses.contains) ?? false
        case .transport: return self.transport?.isRetriable ?? false
        case .circuitOpen: return true
        default: return false
        }
    }

    public var description: String {
        var parts = ["GCPError(\(self.code))"]
        if let operation { parts.append(operation) }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let status { parts.append(status) }
        return parts.joined(separator: " ") + ": " + self.message
    }

    /// The class of a failure. Open: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// The server answered with an error status; see ``GCPError/httpStatus`` and ``GCPError/status``.
        public static let http = Code("http")
        /// No response: DNS, connect, TLS, timeout or a broken connection; see ``GCPError/transport``.
        public static let transport = Code("transport")
        /// No credentials were found, or the token endpoint refused them.
        public static let credentials = Code("credentials")
        /// The API's circuit breaker is open after consecutive failures; the call was not made.
        public static let circuitOpen = Code("circuit open")
        /// The request's overall deadline passed before a retry could be made.
        public static let deadlineExceeded = Code("deadline exceeded")
        /// A response did not have the documented shape.
        public static let decoding = Code("decoding")
        /// A long-running operation finished with an error.
        public static let operationFailed = Code("operation failed")
        /// A long-running operation was not done within the wait's bound.
        public static let operationTimeout = Code("operation timeout")
        /// A resource name that no supported API serves, or that is malformed.
        public static let invalidName = Code("invalid name")
        /// The calling task was cancelled.
        public static let cancelled = Code("cancelled")
    }
}

/// Google's JSON error envelope, `{"error": {"code": 409, "message": "…", "status": "ABORTED", "details": […]}}`.
public struct GoogleErrorEnvelope: Sendable, Equatable, Decodable {
    public var code: Int?
    public var status: String?
    public var message: String?

    public init(code: Int?, status: String?, message: String?) {
        self.code = code
        self.status = status
        self.message = message
    }

    private struct Wrapper: Decodable { var error: GoogleErrorEnvelope }

    /// Decodes the envelope; `nil` when the body is not one (HTML from a proxy, an OAuth error, nothing).
    public init?(decoding body: [UInt8]) {
        guard let wrapper = try? JSONDecoder().decode(Wrapper.self, from: Data(body)) else { return nil }
        self = wrapper.error
    }
}
