import Synchronization

/// An HTTP client over libcurl's multi interface: `async` requests, run on one thread this client owns.
///
/// One client holds one multi handle, so connections are reused across requests (at most
/// ``Configuration/maxConnectionsPerHost`` to one host) and HTTP/2 is multiplexed where a server offers it
/// over TLS; plain `http://` uses HTTP/1.1. Certificates are always verified. libcurl reads `http_proxy`,
/// `https_proxy` and `no_proxy` from the environment itself. Transfers never block Swift's cooperative pool.
///
/// Shut it down with ``shutdown()`` (or drop it: its thread then ends on its own).
public final class CurlClient: Sendable {
    public struct Configuration: Sendable {
        /// Most connections open to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`). Default: `8`.
        public var maxConnectionsPerHost: Int = 8
        /// PEM bundle of trusted roots (`CURLOPT_CAINFO`); `nil` uses the system's. Default: `nil`.
        public var caFile: String?
        /// Directory of trusted roots (`CURLOPT_CAPATH`); `nil` uses the system's. Default: `nil`.
        public var caPath: String?
        /// Largest response body accepted; larger ones fail with ``CurlError/Code/responseTooLarge``.
        /// Default: 16 MiB.
        public var maxResponseBytes: Int = 16 << 20
        /// Connect timeout, capped by each request's total deadline. Default: 10 s.
        public var connectTimeout: Duration = .seconds(10)
        /// `User-Agent` header. Default: `"autonomics"`.
        public var userAgent: String = "autonomics"

        public init() {}
    }

    public let configuration: Configuration
    private let multi: CurlMulti
    private let nextID = Atomic<UInt64>(1)

    public init(configuration: Configuration = Configuration(), name: String = "curl") {
        self.configuration = configuration
        self.multi = CurlMulti(maxConnectionsPerHost: configuration.maxConnectionsPerHost, name: name)
    }

    deinit {
        self.multi.stop()
    }

    /// Performs one request. Any HTTP status is a response; only a failure to get one throws.
    ///
    /// Cancelling the calling task abandons the transfer and throws ``CurlError/Code/cancelled``.
    public func send(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        let id = self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let result: Result<CurlResponse, CurlError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let made = Result { () throws(CurlError) in
                    try CurlEasyHandle(
                        id: id, request: request, configuration: self.configuration,
                        completion: { continuation.resume(returning: $0) })
                }
                guard case .success(let transfer) = made else {
                    if case .failure(let error) = made { continuation.resume(returning: .failure(error)) }
                    return
                }
                if Task.isCancelled {
                    transfer.finish(CurlError(code: .cancelled, message: "the request was cancelled"))
                } else {
                    self.multi.submit(transfer)
                }
            }
        } onCancel: {
            self.multi.cancel(id: id)
        }
        return try result.get()
    }

    /// Fails every transfer in progress with ``CurlError/Code/shutdown`` and ends the thread.
    public func shutdown() async {
        await self.multi.shutdown()
    }
}
