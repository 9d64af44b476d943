import Crypto

/// Signs receipts with Ed25519 (RFC 8032) for ``ReceiptLedger``: each receipt gets a `signature` member, the standard
/// padded base64 of the signature of its `hash` as written, the 64 lowercase hex digits in ASCII. Signing the text
/// rather than the 32 digest bytes lets any standard tool check a receipt from the JSON alone (`jq -j .hash`).
/// The hash covers every other member, so the signature vouches for them all; it is itself left out of the hash.
public struct ReceiptSigner: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// Reads a PKCS#8 Ed25519 private key in PEM, as `openssl genpkey -algorithm ed25519` writes it.
    public init(pem text: String) throws(Ed25519KeyError) {
        key = try Ed25519PEM.privateKey(text)
    }

    /// What `signature` holds while the receipt is hashed: as long as every signature (64 bytes in base64).
    static let placeholder = String(repeating: "A", count: 86) + "=="

    /// The key that checks this signer's signatures.
    public var publicKey: ReceiptPublicKey {
        ReceiptPublicKey(key: key.publicKey)
    }

    /// The `signature` value for a receipt whose `hash` digits are `hashDigits`: base64 as UTF-8, 88 bytes.
    func signature(ofHashDigits hashDigits: ArraySlice<UInt8>) -> [UInt8] {
        do {
            return try hashDigits.withUnsafeBytes { Array(Base64.encode(try key.signature(for: $0)).utf8) }
        } catch {
            // BoringSSL's ED25519_sign always succeeds; swift-crypto declares `throws` for other back ends.
            preconditionFailure("Ed25519 signing failed: \(error)")
        }
    }
}

/// The public half of a ``ReceiptSigner``'s key, for ``ChainVerifier``.
public struct ReceiptPublicKey: Sendable {
    private let key: Curve25519.Signing.PublicKey

    init(key: Curve25519.Signing.PublicKey) {
        self.key = key
    }

    /// Reads an Ed25519 public key in PEM (SubjectPublicKeyInfo), as `openssl pkey -in KEY -pubout` writes it.
    public init(pem text: String) throws(Ed25519KeyError) {
        key = try Ed25519PEM.publicKey(text)
    }

    /// Whether `signature` (base64) is this key's signature of the hash's 64 hex digits.
    func isValid(signature: String, of hash: SHA256Hash) -> Bool {
        guard let bytes = Base64.decode(signature) else { return false }
        return Array(hash.hex.utf8).withUnsafeBytes { key.isValidSignature(bytes, for: $0) }
    }
}
