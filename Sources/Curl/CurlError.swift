/// Why a transfer failed before a complete HTTP response arrived. An HTTP error status is not a `CurlError`:
/// it is a ``CurlResponse``.
///
/// Decide from ``code`` and ``isRetriable``, never from ``message``.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public var code: Code
    /// libcurl's `CURLcode`, 0 when the failure is not libcurl's.
    public var curlCode: Int
    /// libcurl's explanation, for logs.
    public var message: String

    public init(code: Code, curlCode: Int = 0, message: String) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
    }

    /// Repeating the request may succeed: DNS, connect, timeout and transport failures. TLS failures,
    /// oversized responses, invalid requests and cancellation are not retried.
    public var isRetriable: Bool {
        [.dns, .connect, .timeout, .transport].contains(self.code)
    }

    public var description: String {
        "CurlError(\(self.code)\(self.curlCode != 0 ? ", CURLcode \(self.curlCode)" : "")): \(self.message)"
    }

    /// The class of a failure. Open: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// The host name did not resolve (or the proxy's did not).
        public static let dns = Code("dns")
        /// No connection could be made.
        public static let connect = Code("connect")
        /// TLS handshake or certificate verification failed.
        public static let tls = Code("tls")
        /// The request's deadline or the connect timeout passed.
        public static let timeout = Code("timeout")
        /// The response body exceeded the configured cap.
        public static let responseTooLarge = Code("response too large")
        /// The connection broke or the server sent something that is no HTTP.
        public static let transport = Code("transport")
        /// The request could not be made as given (bad URL, unsupported protocol, bad option).
        public static let invalidRequest = Code("invalid request")
        /// The calling task was cancelled.
        public static let cancelled = Code("cancelled")
        /// The client was shut down.
        public static let shutdown = Code("shutdown")
    }
}
