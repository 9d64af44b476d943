import Foundation

/// Where access tokens come from, discovered as google-auth does it.
public enum GCPCredentials: Sendable {
    /// A `service_account` JSON key: tokens by the RS256 JWT-bearer grant (RFC 7523).
    case serviceAccount(ServiceAccountKey)
    /// An `authorized_user` file (what `gcloud auth application-default login` writes): tokens by the
    /// refresh-token grant.
    case authorizedUser(AuthorizedUserCredentials)
    /// The metadata server of GCE, Cloud Run or GKE: tokens of the attached service account.
    case metadataServer(host: String)

    /// The default metadata host; `GCE_METADATA_HOST` overrides it.
    public static let defaultMetadataHost = "metadata.google.internal"

    /// Application Default Credentials, in google-auth's order: the file named by
    /// `GOOGLE_APPLICATION_CREDENTIALS`; gcloud's `application_default_credentials.json` (in `$CLOUDSDK_CONFIG`
    /// or `~/.config/gcloud`); else the metadata server at `GCE_METADATA_HOST` (or `GCE_METADATA_ROOT`),
    /// default `metadata.google.internal`.
    ///
    /// - Throws: ``GCPError/Code/credentials`` when a named file cannot be read or is of an unknown kind.
    public static func discover(environment: [String: String]) throws(GCPError) -> GCPCredentials {
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            return try load(file: path, origin: "GOOGLE_APPLICATION_CREDENTIALS")
        }
        let gcloudDirectory =
            environment["CLOUDSDK_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { "\($0)/.config/gcloud" }
        if let gcloudDirectory {
            let path = "\(gcloudDirectory)/application_default_credentials.json"
            if FileManager.default.fileExists(atPath: path) {
                return try load(file: path, origin: "gcloud application default credentials")
            }
        }
        let host =
            environment["GCE_METADATA_HOST"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["GCE_METADATA_ROOT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? defaultMetadataHost
        return .metadataServer(host: host)
    }

    /// Reads a credentials JSON file of type `service_account` or `authorized_user`.
    public static func load(file path: String, origin: String = "credentials file") throws(GCPError) -> GCPCredentials {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw GCPError(code: .credentials, message: "\(origin): cannot read \(path)")
        }
        return try parse(data, origin: "\(origin) \(path)")
    }

    /// Parses a credentials JSON document. Error messages name fields, never their values.
    public static func parse(_ data: Data, origin: String) throws(GCPError) -> GCPCredentials {
        struct Kind: Decodable { var type: String? }
        guard let kind = try? JSONDecoder().decode(Kind.self, from: data) else {
            throw GCPError(code: .credentials, message: "\(origin): not a JSON object")
        }
        switch kind.type {
        case "service_account":
            return .serviceAccount(try ServiceAccountKey(json: data, origin: origin))
        case "authorized_user":
            return .authorizedUser(try AuthorizedUserCredentials(json: data, origin: origin))
        default:
            throw GCPError(
                code: .credentials,
                message: "\(origin): type \(kind.type.map { "\"\($0)\"" } ?? "missing"); expected service_account or authorized_user")
        }
    }

    /// Decodes a credentials file; the error names the file, never a value in it.
    static func decode<File: Decodable>(_ type: File.Type, _ json: Data, origin: String, kind: String) throws(GCPError) -> File {
        guard let file = try? JSONDecoder().decode(File.self, from: json) else {
            throw GCPError(code: .credentials, message: "\(origin): not a \(kind)")
        }
        return file
    }

    /// `service account key`, `authorized user`, `metadata server`.
    public var sourceName: String {
        switch self {
        case .serviceAccount: "service account key"
        case .authorizedUser: "authorized user"
        case .metadataServer: "metadata server"
        }
    }
}

/// An `authorized_user` credentials file. Its secrets never appear in a description.
public struct AuthorizedUserCredentials: Sendable, CustomStringConvertible {
    public var clientID: String
    var clientSecret: String
    var refreshToken: String
    /// Default: `https://oauth2.googleapis.com/token`.
    public var tokenURI: String
    public var quotaProjectID: String?

    public init(clientID: String, clientSecret: String, refreshToken: String, tokenURI: String = ServiceAccountKey.googleTokenURI) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
        self.tokenURI = tokenURI
    }

    init(json: Data, origin: String) throws(GCPError) {
        struct File: Decodable {
            var client_id: String?
            var client_secret: String?
            var refresh_token: String?
            var token_uri: String?
            var quota_project_id: String?
        }
        let file = try GCPCredentials.decode(File.self, json, origin: origin, kind: "authorized_user file")
        guard let clientID = file.client_id, let clientSecret = file.client_secret, let refreshToken = file.refresh_token
        else {
            throw GCPError(code: .credentials, message: "\(origin): client_id, client_secret and refresh_token are required")
        }
        self.init(clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken,
                  tokenURI: file.token_uri ?? ServiceAccountKey.googleTokenURI)
        self.quotaProjectID = file.quota_project_id
    }

    public var description: String { "AuthorizedUserCredentials(client_id: \(self.clientID))" }
}
