import Crypto
import Foundation
import _CryptoExtras

/// A `service_account` JSON key and the RS256 JWT assertions it signs. The private key never appears in a
/// description or an error.
public struct ServiceAccountKey: Sendable, CustomStringConvertible {
    /// Google's token endpoint, the usual `token_uri`.
    public static let googleTokenURI = "https://oauth2.googleapis.com/token"
    /// Most seconds between `iat` and `exp` Google accepts.
    public static let maxAssertionLifetime: TimeInterval = 3600

    public var clientEmail: String
    public var privateKeyID: String
    public var tokenURI: String
    public var projectID: String?
    private let privateKey: _RSA.Signing.PrivateKey

    public init(clientEmail: String, privateKeyID: String, privateKeyPEM: String, tokenURI: String = googleTokenURI, projectID: String? = nil) throws(GCPError) {
        self.clientEmail = clientEmail
        self.privateKeyID = privateKeyID
        self.tokenURI = tokenURI
        self.projectID = projectID
        do {
            self.privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw GCPError(code: .credentials, message: "private_key of \(clientEmail) is not an RSA key in PEM form")
        }
    }

    init(json: Data, origin: String) throws(GCPError) {
        struct File: Decodable {
            var client_email: String?
            var private_key_id: String?
            var private_key: String?
            var token_uri: String?
            var project_id: String?
        }
        let file = try GCPCredentials.decode(File.self, json, origin: origin, kind: "service_account key")
        guard let email = file.client_email, let keyID = file.private_key_id, let pem = file.private_key else {
            throw GCPError(code: .credentials, message: "\(origin): client_email, private_key_id and private_key are required")
        }
        try self.init(clientEmail: email, privateKeyID: keyID, privateKeyPEM: pem,
                      tokenURI: file.token_uri ?? Self.googleTokenURI, projectID: file.project_id)
    }

    /// The signed JWT for the JWT-bearer grant (RFC 7523): header `{"alg":"RS256","typ":"JWT","kid":private_key_id}`,
    /// claims `iss` = client email, `aud` = the token URI, `scope`, `iat` = now, `exp` = now + `lifetime` (≤ 3600 s);
    /// signed with RSASSA-PKCS1-v1_5 over SHA-256 of `base64url(header).base64url(claims)`.
    public func assertion(scope: String, now: Date, lifetime: TimeInterval = maxAssertionLifetime) throws(GCPError) -> String {
        let issuedAt = Int64(now.timeIntervalSince1970)
        let header: [String: String] = ["alg": "RS256", "typ": "JWT", "kid": self.privateKeyID]
        let claims: [String: JWTClaim] = [
            "iss": .string(self.clientEmail), "aud": .string(self.tokenURI), "scope": .string(scope),
            "iat": .integer(issuedAt), "exp": .integer(issuedAt + Int64(min(lifetime, Self.maxAssertionLifetime))),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let headerJSON = try? encoder.encode(header), let claimsJSON = try? encoder.encode(claims) else {
            throw GCPError(code: .credentials, message: "cannot encode the JWT")
        }
        let signingInput = Base64URL.encode(headerJSON) + "." + Base64URL.encode(claimsJSON)
        do {
            let signature = try self.privateKey.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
            return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
        } catch {
            throw GCPError(code: .credentials, message: "cannot sign the JWT with the key of \(self.clientEmail)")
        }
    }

    public var description: String { "ServiceAccountKey(\(self.clientEmail), kid \(self.privateKeyID))" }
}

/// A JWT claim value: a string or an integer.
enum JWTClaim: Encodable {
    case string(String)
    case integer(Int64)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        }
    }
}

/// base64url without padding (RFC 4648 §5), as JWTs use it.
public enum Base64URL {
    public static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
