import Foundation

/// An Ed25519 key pair as `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` wrote it, in files of a
/// temporary directory, for `receipts.signing_key` and `verify --public-key`.
public struct TestSigningKey: Sendable {
    public static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEICV7+w/quewh951DtYpJh16u7/vBx1pvcVkQkAxP0H2x
        -----END PRIVATE KEY-----

        """
    public static let publicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEA0o6TqrTx8zTvB3gvFMtTOXuKYUXUEztEKc3eA4YIg5k=
        -----END PUBLIC KEY-----

        """

    public let directory: URL
    public var privateKeyFile: String { directory.appendingPathComponent("key.pem").path }
    public var publicKeyFile: String { directory.appendingPathComponent("pub.pem").path }

    /// Writes both files; ``remove()`` deletes them.
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("autonomics-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.privateKeyPEM.write(toFile: privateKeyFile, atomically: true, encoding: .utf8)
        try Self.publicKeyPEM.write(toFile: publicKeyFile, atomically: true, encoding: .utf8)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
