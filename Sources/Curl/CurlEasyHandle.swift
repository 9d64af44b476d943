internal import CCurl
import Foundation
internal import CCurlShims

/// One transfer: owns a `CURL*` easy handle, its header list, its error buffer and the response being received.
///
/// `@unchecked Sendable`: it is built on the caller's thread, then handed to ``CurlMulti`` and from then on
/// touched only by the multi's thread (libcurl calls the data callbacks from `curl_multi_perform` on that
/// thread). The only member another thread reads is the immutable ``id``.
final class CurlEasyHandle: @unchecked Sendable {
    let id: UInt64
    /// The C handle; lent out only to ``CurlMulti``, which adds and removes it.
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maxResponseBytes: Int

    private var status = 0
    private var responseHeaders: [(name: String, value: String)] = []
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    private var completion: (@Sendable (Result<CurlResponse, CurlError>) -> Void)?

    /// Configures a handle for `request`; throws ``CurlError/Code/invalidRequest`` for an option libcurl refuses.
    init(
        id: UInt64,
        request: CurlRequest,
        configuration: CurlClient.Configuration,
        completion: @escaping @Sendable (Result<CurlResponse, CurlError>) -> Void
    ) throws(CurlError) {
        guard let handle = curl_easy_init() else {
            throw CurlError(code: .invalidRequest, message: "curl_easy_init failed")
        }
        self.id = id
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        self.maxResponseBytes = configuration.maxResponseBytes
        self.completion = completion
        try self.configure(request, configuration)
    }

    deinit {
        // The multi has removed the handle before releasing this object; the header list must outlive the handle.
        curl_easy_cleanup(self.handle)
        curl_slist_free_all(self.headerList)
        self.errorBuffer.deallocate()
    }

    private func configure(_ request: CurlRequest, _ configuration: CurlClient.Configuration) throws(CurlError) {
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        try self.set(CURLOPT_URL, request.url)
        // No signals (timeouts would otherwise use SIGALRM), HTTP(S) only, no redirects followed.
        try self.set(CURLOPT_NOSIGNAL, 1)
        try self.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try self.set(CURLOPT_FOLLOWLOCATION, 0)
        try self.set(CURLOPT_HTTP_VERSION, ccurl_http_version_2tls())
        // Wait for a connection that may multiplex (HTTP/2) rather than open another one to the same host.
        try self.set(CURLOPT_PIPEWAIT, 1)
        // gzip, deflate, br, zstd as libcurl was built with; the size cap applies to the decoded body.
        try self.set(CURLOPT_ACCEPT_ENCODING, "")
        // Certificate and host name verification are always on; a private root comes from the CA settings.
        try self.set(CURLOPT_SSL_VERIFYPEER, 1)
        try self.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = configuration.caFile { try self.set(CURLOPT_CAINFO, caFile) }
        if let caPath = configuration.caPath { try self.set(CURLOPT_CAPATH, caPath) }
        try self.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        try self.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(request.timeout, configuration.connectTimeout)))
        try self.check(ccurl_easy_setopt_off_t(self.handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)), "CURLOPT_MAXFILESIZE_LARGE")
        try self.set(CURLOPT_USERAGENT, configuration.userAgent)
        try self.check(ccurl_easy_setopt_ptr(self.handle, CURLOPT_ERRORBUFFER, self.errorBuffer), "CURLOPT_ERRORBUFFER")
        try self.check(ccurl_easy_setopt_ptr(self.handle, CURLOPT_WRITEDATA, opaque), "CURLOPT_WRITEDATA")
        try self.check(ccurl_easy_setopt_data_callback(self.handle, CURLOPT_WRITEFUNCTION, curlWriteCallback), "CURLOPT_WRITEFUNCTION")
        try self.check(ccurl_easy_setopt_ptr(self.handle, CURLOPT_HEADERDATA, opaque), "CURLOPT_HEADERDATA")
        try self.check(ccurl_easy_setopt_data_callback(self.handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback), "CURLOPT_HEADERFUNCTION")

        switch request.method {
        case "GET" where request.body == nil:
            try self.set(CURLOPT_HTTPGET, 1)
        case "HEAD":
            try self.set(CURLOPT_NOBODY, 1)
        default:
            if request.method != "POST" { try self.set(CURLOPT_CUSTOMREQUEST, request.method) }
        }
        if let body = request.body {
            // The size first, so that COPYPOSTFIELDS copies binary data; libcurl keeps its own copy.
            try self.check(ccurl_easy_setopt_off_t(self.handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
            // An empty array may have no storage; libcurl needs a pointer even for zero bytes.
            var bytes = body.isEmpty ? [0] : body
            let code = bytes.withUnsafeMutableBytes { buffer in
                ccurl_easy_setopt_ptr(self.handle, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress)
            }
            try self.check(code, "CURLOPT_COPYPOSTFIELDS")
        } else if request.method == "POST" {
            try self.set(CURLOPT_POSTFIELDSIZE, 0)
            try self.set(CURLOPT_POST, 1)
        }

        // "Expect:" with no value stops libcurl from waiting for a 100-continue on larger bodies.
        for header in request.headers + [("Expect", "")] {
            let line = header.value.isEmpty ? "\(header.name):" : "\(header.name): \(header.value)"
            guard !line.contains("\r"), !line.contains("\n") else {
                throw CurlError(code: .invalidRequest, message: "header \(header.name) contains a line break")
            }
            guard let list = curl_slist_append(self.headerList, line) else {
                throw CurlError(code: .invalidRequest, message: "curl_slist_append failed")
            }
            self.headerList = list
        }
        try self.check(ccurl_easy_setopt_ptr(self.handle, CURLOPT_HTTPHEADER, self.headerList), "CURLOPT_HTTPHEADER")
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try self.check(ccurl_easy_setopt_long(self.handle, option, value), "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        // libcurl copies string options (since 7.17).
        try self.check(ccurl_easy_setopt_string(self.handle, option, value), "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(CurlError) {
        guard code != CURLE_OK else { return }
        throw CurlError(
            code: .invalidRequest, curlCode: Int(code.rawValue),
            message: "\(what): \(String(cString: curl_easy_strerror(code)))")
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Called on the multi's thread only.

    fileprivate func receive(body data: UnsafeRawBufferPointer) -> Bool {
        guard self.body.count + data.count <= self.maxResponseBytes else {
            self.bodyTooLarge = true
            return false
        }
        self.body.append(contentsOf: data)
        return true
    }

    fileprivate func receive(headerLine data: UnsafeRawBufferPointer) {
        // Header bytes are not trusted to be UTF-8; decoding repairs rather than traps.
        let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r\n"))
        if line.hasPrefix("HTTP/") {
            // A new response (after 100 Continue, for instance): start over.
            self.responseHeaders = []
            let parts = line.split(separator: " ", maxSplits: 2)
            self.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            self.responseHeaders.append((name, value))
        }
    }

    /// Called once, when libcurl reports the transfer done (or the multi gives up on it).
    func finish(_ code: CURLcode) {
        guard let completion = self.completion else { return }
        self.completion = nil
        if code == CURLE_OK {
            var version = 0
            _ = ccurl_easy_getinfo_long(self.handle, CURLINFO_HTTP_VERSION, &version)
            var status = 0
            _ = ccurl_easy_getinfo_long(self.handle, CURLINFO_RESPONSE_CODE, &status)
            completion(.success(CurlResponse(
                status: status != 0 ? status : self.status, headers: self.responseHeaders, body: self.body,
                httpVersion: version == Int(CURL_HTTP_VERSION_2_0) ? 2 : 1)))
        } else {
            completion(.failure(self.error(for: code)))
        }
    }

    /// Called once, when the transfer ends without libcurl's verdict (cancelled, client shut down).
    func finish(_ error: CurlError) {
        guard let completion = self.completion else { return }
        self.completion = nil
        completion(.failure(error))
    }

    private func error(for code: CURLcode) -> CurlError {
        let detail = String(cString: self.errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: CurlError.Code
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .dns
        case CURLE_COULDNT_CONNECT: kind = .connect
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_USE_SSL_FAILED:
            kind = .tls
        case CURLE_FILESIZE_EXCEEDED: kind = .responseTooLarge
        case CURLE_WRITE_ERROR where self.bodyTooLarge: kind = .responseTooLarge
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT: kind = .invalidRequest
        default: kind = .transport
        }
        let text = kind == .responseTooLarge ? "response larger than \(self.maxResponseBytes) bytes" : message
        return CurlError(code: kind, curlCode: Int(code.rawValue), message: text)
    }
}

/// Matches `ccurl_data_callback`. Returning fewer bytes than given makes libcurl abort with CURLE_WRITE_ERROR.
private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let userdata else { return 0 }
    // The multi's table keeps the transfer alive while libcurl may call back.
    let transfer = Unmanaged<CurlEasyHandle>.fromOpaque(userdata).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    return transfer.receive(body: bytes) ? size * count : 0
}

/// Matches `ccurl_data_callback`; libcurl passes one complete header line at a time.
private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlEasyHandle>.fromOpaque(userdata).takeUnretainedValue()
    transfer.receive(headerLine: UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}
