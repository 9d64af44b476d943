import Crypto
import Foundation
import GCP
import Testing
import _CryptoExtras

@Suite("Service-account JWT assertion (RS256, RFC 7523)")
struct JWTTests {
    static let privateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    func key() throws -> ServiceAccountKey {
        try ServiceAccountKey(
            clientEmail: "svc@project.iam.gserviceaccount.com", privateKeyID: "kid-123",
            privateKeyPEM: Self.privateKey.pkcs8PEMRepresentation, tokenURI: "https://oauth2.googleapis.com/token")
    }

    func decode(_ part: Substring) throws -> [String: Any] {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let data = try #require(Data(base64Encoded: base64))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("Header and claims are Google's, and the signature verifies over the exact bytes")
    func assertion() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let jwt = try self.key().assertion(scope: "https://www.googleapis.com/auth/cloud-platform", now: now)
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        #expect(!jwt.contains("="), "base64url without padding")

        let header = try self.decode(parts[0])
        #expect(header["alg"] as? String == "RS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == "kid-123")

        let claims = try self.decode(parts[1])
        #expect(claims["iss"] as? String == "svc@project.iam.gserviceaccount.com")
        #expect(claims["aud"] as? String == "https://oauth2.googleapis.com/token")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform")
        let issuedAt = try #require(claims["iat"] as? Int)
        let expiry = try #require(claims["exp"] as? Int)
        #expect(issuedAt == 1_800_000_000)
        #expect(expiry - issuedAt == 3600)
        #expect(claims["sub"] == nil)

        // RSASSA-PKCS1-v1_5 with SHA-256 over "header.claims", checked with the public half.
        var signature = parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        signature += String(repeating: "=", count: (4 - signature.count % 4) % 4)
        let signatureBytes = try #require(Data(base64Encoded: signature))
        #expect(signatureBytes.count == 256)
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        let publicKey = Self.privateKey.publicKey
        #expect(publicKey.isValidSignature(.init(rawRepresentation: signatureBytes), for: signed, padding: .insecurePKCS1v1_5))
        // And not over anything else.
        #expect(!publicKey.isValidSignature(.init(rawRepresentation: signatureBytes), for: signed + Data("x".utf8), padding: .insecurePKCS1v1_5))
    }

    @Test("OpenSSL, an independent implementation, verifies the signature", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func openSSLVerifies() throws {
        let jwt = try self.key().assertion(scope: "s", now: Date())
        let parts = jwt.split(separator: ".")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var signature = parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        signature += String(repeating: "=", count: (4 - signature.count % 4) % 4)
        try Data("\(parts[0]).\(parts[1])".utf8).write(to: directory.appendingPathComponent("input"))
        try Data(base64Encoded: signature)!.write(to: directory.appendingPathComponent("signature"))
        try Data(Self.privateKey.publicKey.pemRepresentation.utf8).write(to: directory.appendingPathComponent("public.pem"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.currentDirectoryURL = directory
        process.arguments = ["dgst", "-sha256", "-verify", "public.pem", "-signature", "signature", "input"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("The lifetime is capped at 3600 s")
    func lifetimeCap() throws {
        let jwt = try self.key().assertion(scope: "s", now: Date(timeIntervalSince1970: 0), lifetime: 7200)
        let claims = try self.decode(jwt.split(separator: ".")[1])
        #expect(claims["exp"] as? Int == 3600)
    }

    @Test("Descriptions and errors never show the private key")
    func noSecrets() throws {
        let key = try self.key()
        #expect(!"\(key)".contains("PRIVATE"))
        do {
            _ = try ServiceAccountKey(clientEmail: "a@b", privateKeyID: "k", privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nsecretsecret\n-----END PRIVATE KEY-----")
            Issue.record("a bad key was accepted")
        } catch {
            #expect(error.code == .credentials)
            #expect(!error.message.contains("secretsecret"))
        }
        let token = AccessToken(value: "ya29.secret-value", expiry: Date())
        #expect(!"\(token)".contains("secret-value"))
    }

    @Test("Credential files: service_account, authorized_user, and errors naming fields only")
    func credentialFiles() throws {
        let user = #"{"type":"authorized_user","client_id":"cid","client_secret":"topsecret","refresh_token":"1//rt"}"#
        guard case .authorizedUser(let credentials) = try GCPCredentials.parse(Data(user.utf8), origin: "test") else {
            Issue.record("not an authorized_user")
            return
        }
        #expect(credentials.tokenURI == "https://oauth2.googleapis.com/token")
        #expect(!"\(credentials)".contains("topsecret"))
        do {
            _ = try GCPCredentials.parse(Data(#"{"type":"authorized_user","client_secret":"topsecret"}"#.utf8), origin: "test")
            Issue.record("an incomplete file was accepted")
        } catch {
            #expect(!error.message.contains("topsecret"))
        }
        #expect(throws: GCPError.self) { try GCPCredentials.parse(Data(#"{"type":"external_account"}"#.utf8), origin: "test") }
    }

    @Test("Discovery order: GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file, then the metadata server")
    func discoveryOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let user = #"{"type":"authorized_user","client_id":"cid","client_secret":"s","refresh_token":"r"}"#
        try Data(user.utf8).write(to: directory.appendingPathComponent("application_default_credentials.json"))

        let metadata = try GCPCredentials.discover(environment: ["GCE_METADATA_HOST": "127.0.0.1:1234", "HOME": "/nonexistent"])
        guard case .metadataServer(let host) = metadata else { Issue.record("expected the metadata server"); return }
        #expect(host == "127.0.0.1:1234")
        let defaultHost = try GCPCredentials.discover(environment: [:])
        guard case .metadataServer("metadata.google.internal") = defaultHost else { Issue.record("expected the default host"); return }
        let gcloud = try GCPCredentials.discover(environment: ["CLOUDSDK_CONFIG": directory.path, "GCE_METADATA_HOST": "x"])
        guard case .authorizedUser = gcloud else { Issue.record("expected gcloud's file"); return }
        #expect(throws: GCPError.self) {
            try GCPCredentials.discover(environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"])
        }
    }
}
