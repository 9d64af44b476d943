import Curl
import Foundation
import Logging

/// An OAuth2 access token. Its value never appears in a description.
public struct AccessToken: Sendable, CustomStringConvertible {
    /// The bearer token. Do not log it.
    public var value: String
    /// When the server says it expires.
    public var expiry: Date

    public init(value: String, expiry: Date) {
        self.value = value
        self.expiry = expiry
    }

    public var description: String { "AccessToken(expires \(self.expiry))" }
}

/// Anything that supplies bearer tokens: ``TokenProvider``, or a stub in tests.
public protocol AccessTokenSource: Sendable {
    /// A token valid for `scope`, from the cache when fresh enough.
    func token(scope: String) async throws(GCPError) -> AccessToken
    /// The server refused `token` (HTTP 401): forget it, so that the next call fetches a new one.
    func invalidate(scope: String, token: AccessToken) async
}

/// Access tokens from ``GCPCredentials``, cached per scope, refreshed 225 s before expiry (google-auth's
/// `REFRESH_THRESHOLD`), single-flight: however many callers ask at once, one request goes to the token endpoint.
public actor TokenProvider: AccessTokenSource {
    /// How long before expiry a cached token counts as stale.
    public static let refreshMargin: TimeInterval = 225
    /// The default OAuth scope.
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

    public nonisolated let credentials: GCPCredentials
    private let http: CurlClient
    private let clock: GCPClock
    private let metrics: GCPMetrics
    private let logger: Logger
    private let timeout: Duration
    private var cache: [String: AccessToken] = [:]
    private var inFlight: [String: Task<Result<AccessToken, GCPError>, Never>] = [:]

    /// - Parameters:
    ///   - http: The client token requests go through (the metadata server is plain HTTP).
    ///   - timeout: Deadline of one token request. Default: 10 s.
    public init(
        credentials: GCPCredentials, http: CurlClient, clock: GCPClock = .system, metrics: GCPMetrics = GCPMetrics(),
        logger: Logger, timeout: Duration = .seconds(10)
    ) {
        self.credentials = credentials
        self.http = http
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.timeout = timeout
    }

    public func token(scope: String = TokenProvider.cloudPlatformScope) async throws(GCPError) -> AccessToken {
        if let cached = self.cache[scope], self.clock.wallClock() < cached.expiry - Self.refreshMargin {
            return cached
        }
        if let running = self.inFlight[scope] {
            return try await running.value.get()
        }
        let task = Task { await self.fetch(scope: scope) }
        self.inFlight[scope] = task
        let result = await task.value
        self.inFlight[scope] = nil
        if case .success(let token) = result { self.cache[scope] = token }
        return try result.get()
    }

    public func invalidate(scope: String, token: AccessToken) {
        if self.cache[scope]?.value == token.value { self.cache[scope] = nil }
    }

    /// The account tokens are issued to: the key's client email, the metadata server's service account, or
    /// `nil` for user credentials (their account is known only to Google).
    public func account() async throws(GCPError) -> String? {
        switch self.credentials {
        case .serviceAccount(let key): return key.clientEmail
        case .authorizedUser: return nil
        case .metadataServer(let host):
            struct Info: Decodable { var email: String? }
            let response = try await self.send(
                CurlRequest(url: "http://\(host)/computeMetadata/v1/instance/service-accounts/default/?recursive=true",
                            headers: [("Metadata-Flavor", "Google")], timeout: self.timeout))
            return try Self.decode(Info.self, response, what: "metadata service account").email
        }
    }

    private nonisolated func fetch(scope: String) async -> Result<AccessToken, GCPError> {
        let now = self.clock.wallClock()
        let request: CurlRequest
        do {
            request = try self.tokenRequest(scope: scope, now: now)
        } catch {
            return .failure(error)
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await self.send(request)
                if response.status == 200 {
                    struct Grant: Decodable {
                        var access_token: String
                        var expires_in: Double?
                    }
                    let grant = try Self.decode(Grant.self, response, what: "token response")
                    self.metrics.tokenRefresh(source: self.credentials.sourceName, outcome: "success")
                    self.logger.debug("Fetched an access token", metadata: [
                        "gcp.credentials": "\(self.credentials.sourceName)", "gcp.token.expires_in": "\(grant.expires_in ?? 3600)",
                    ])
                    return .success(AccessToken(value: grant.access_token, expiry: now + (grant.expires_in ?? 3600)))
                }
                let error = Self.tokenError(response, source: self.credentials.sourceName)
                // google-auth's retryable statuses; a few quick attempts, since every API call waits on this.
                guard RetryPolicy.defaultRetryableStatuses.contains(response.status), attempt < 3 else {
                    self.metrics.tokenRefresh(source: self.credentials.sourceName, outcome: "failure")
                    return .failure(error)
                }
            } catch {
                guard error.isRetriable, attempt < 3 else {
                    self.metrics.tokenRefresh(source: self.credentials.sourceName, outcome: "failure")
                    return .failure(error)
                }
            }
            try? await self.clock.sleep(.milliseconds(100 * attempt))
        }
    }

    private nonisolated func tokenRequest(scope: String, now: Date) throws(GCPError) -> CurlRequest {
        switch self.credentials {
        case .serviceAccount(let key):
            let assertion = try key.assertion(scope: scope, now: now)
            return Self.formPost(key.tokenURI, [
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion),
            ], timeout: self.timeout)
        case .authorizedUser(let user):
            return Self.formPost(user.tokenURI, [
                ("grant_type", "refresh_token"), ("client_id", user.clientID), ("client_secret", user.clientSecret),
                ("refresh_token", user.refreshToken),
            ], timeout: self.timeout)
        case .metadataServer(let host):
            return CurlRequest(
                url: "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token?scopes="
                    + FormEncoding.percentEncode(scope),
                headers: [("Metadata-Flavor", "Google")], timeout: self.timeout)
        }
    }

    private static func formPost(_ url: String, _ fields: [(String, String)], timeout: Duration) -> CurlRequest {
        CurlRequest(
            method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(FormEncoding.encode(fields).utf8), timeout: timeout)
    }

    private nonisolated func send(_ request: CurlRequest) async throws(GCPError) -> CurlResponse {
        do {
            return try await self.http.send(request)
        } catch {
            // The URL may be printed; the body (assertion, secrets) never is.
            var hint = ""
            if case .metadataServer(let host) = self.credentials, [.dns, .connect, .timeout].contains(error.code) {
                hint = " (no GOOGLE_APPLICATION_CREDENTIALS and no gcloud credentials, and no metadata server answers at \(host): not on Google Cloud?)"
            }
            throw GCPError(
                code: error.code == .cancelled ? .cancelled : .transport, operation: "oauth2.token",
                message: "\(self.credentials.sourceName) token request failed: \(error.message)\(hint)", transport: error)
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ response: CurlResponse, what: String) throws(GCPError) -> T {
        guard response.status == 200 else { throw tokenError(response, source: what) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw GCPError(code: .decoding, operation: "oauth2.token", message: "\(what) is not the expected JSON")
        }
    }

    /// The OAuth error (`{"error":"invalid_grant","error_description":"…"}`) or Google's envelope.
    private static func tokenError(_ response: CurlResponse, source: String) -> GCPError {
        struct OAuthError: Decodable {
            var error: String
            var error_description: String?
        }
        if let oauth = try? JSONDecoder().decode(OAuthError.self, from: Data(response.body)) {
            return GCPError(
                code: .credentials, operation: "oauth2.token", httpStatus: response.status, status: oauth.error,
                message: "\(source): the token endpoint refused: \(oauth.error)\(oauth.error_description.map { " (\($0))" } ?? "")")
        }
        var error = GCPError(operation: "oauth2.token", httpStatus: response.status, body: response.body)
        error.code = .credentials
        error.message = "\(source): token request answered HTTP \(response.status): \(error.message)"
        return error
    }
}

/// `application/x-www-form-urlencoded`.
enum FormEncoding {
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }
}
