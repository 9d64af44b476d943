/// One HTTP request for ``CurlClient/send(_:)``.
public struct CurlRequest: Sendable {
    /// `GET`, `POST`, `PATCH`, `PUT`, `DELETE`, …
    public var method: String
    /// Absolute `http://` or `https://` URL, already percent-encoded.
    public var url: String
    /// Header fields in order, e.g. `("Content-Type", "application/json")`.
    public var headers: [(name: String, value: String)]
    /// Request body; `nil` sends none.
    public var body: [UInt8]?
    /// Total deadline of this transfer, connection included. Default: 30 s.
    public var timeout: Duration

    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A complete HTTP response, whatever its status.
public struct CurlResponse: Sendable {
    /// HTTP status code, e.g. 200.
    public var status: Int
    /// Header fields of the final response, names in lower case, in order.
    public var headers: [(name: String, value: String)]
    /// The body, at most ``CurlClient/Configuration/maxResponseBytes`` long.
    public var body: [UInt8]
    /// 1 for HTTP/1.x, 2 for HTTP/2.
    public var httpVersion: Int

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], httpVersion: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return self.headers.first { $0.name == name }?.value
    }
}
