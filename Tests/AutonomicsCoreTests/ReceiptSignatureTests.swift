import Foundation
import Testing

@testable import AutonomicsCore

@Suite("Receipt signatures")
struct ReceiptSignatureTests {
    /// Written by `openssl genpkey -algorithm ed25519`; `publicKeyPEM` by `openssl pkey -pubout` from it.
    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIHUMVJAQ8HUhR5Tj6oB87e0xND+mP1ySTUBAy4aMbl4c
        -----END PRIVATE KEY-----
        """
    static let publicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEARbgUcpECM6Vi2oRG+8FFtyArf9oBwB5IV0C+VMilQf0=
        -----END PUBLIC KEY-----
        """
    /// Another `openssl genpkey -algorithm ed25519` key.
    static let otherPrivateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIHZLSJtBxxBNgS3fJ2+O7oU5d82tmxHmHc8MVko392BE
        -----END PRIVATE KEY-----
        """

    static func signer() throws -> ReceiptSigner {
        try ReceiptSigner(pem: privateKeyPEM)
    }

    /// Four receipts each for two tenants, interleaved: events and decision receipts whose own members sort
    /// around `signature` (`severity` before it, `source` and `state` after).
    static func ledger(signer: ReceiptSigner?) -> [[UInt8]] {
        var ledger = ReceiptLedger(specHash: "spec", signer: signer)
        return (0..<8).map { index in
            let tenant = ["acme", "globex"][index % 2]
            if index % 4 < 2 {
                return ledger.record(Receipts.event(tenant: tenant, id: "e-\(index)", offset: Int64(index)), now: Fixtures.now)!
                    .bytes
            }
            return ledger.append(
                kind: "transition", tenantID: tenant, fields: ["severity": "high", "sig": 1, "state": "warning"],
                now: Fixtures.now
            ).bytes
        }
    }

    static func verify(_ receipts: [[UInt8]], publicKey: ReceiptPublicKey?) -> VerificationReport {
        var verifier = ChainVerifier(publicKey: publicKey)
        for (index, receipt) in receipts.enumerated() {
            verifier.add(receipt, location: "autonomics.receipts/0@\(index)")
        }
        return verifier.report()
    }

    @Test("signed receipts verify with the public key and stay canonical JSON")
    func roundTrip() throws {
        let signer = try Self.signer()
        let receipts = Self.ledger(signer: signer)
        for receipt in receipts {
            let members = try Receipts.members(receipt)
            let signature = try #require(members["signature"]?.stringValue)
            #expect(signature.count == 88 && signature.hasSuffix("=="), "64 bytes, standard padded base64")
            #expect(CanonicalJSON.encode(.object(members)) == receipt, "signature in its sorted place")
        }
        let report = Self.verify(receipts, publicKey: try ReceiptPublicKey(pem: Self.publicKeyPEM))
        #expect(report.isValid, "\(report.summary)")
        #expect(report.summary == "8 receipts of 2 tenants checked: all chains intact, all signatures valid")
        #expect(Self.verify(receipts, publicKey: signer.publicKey).isValid)
    }

    @Test("the signature is left out of the hash: the same chain with and without signatures")
    func signatureNotHashed() throws {
        let signed = Self.ledger(signer: try Self.signer())
        let unsigned = Self.ledger(signer: nil)
        for (signedReceipt, unsignedReceipt) in zip(signed, unsigned) {
            var members = try Receipts.members(signedReceipt)
            #expect(members["hash"] == (try Receipts.members(unsignedReceipt))["hash"])
            members["signature"] = nil
            #expect(CanonicalJSON.encode(.object(members)) == unsignedReceipt)
        }
        // Without a public key signatures are ignored; chains verify either way.
        #expect(Self.verify(signed, publicKey: nil).isValid)
        #expect(Self.verify(unsigned, publicKey: nil).isValid)
        #expect(Self.verify(signed, publicKey: nil).summary == "8 receipts of 2 tenants checked: all chains intact")
    }

    /// The changes, and how the failure's reason begins.
    static let tamperings: [(name: String, change: @Sendable ([UInt8]) throws -> [UInt8], reason: String)] = [
        (
            "content changed, hash left alone",
            { receipt in Array(String(decoding: receipt, as: UTF8.self).replacingOccurrences(of: #""state":"warning""#, with: #""state":"stable""#).utf8) },
            "hash mismatch"
        ),
        ("content changed and re-hashed", { try Receipts.forged($0) { $0["state"] = "stable" } }, "signature does not verify"),
        (
            "signature altered",
            { receipt in
                let text = try #require(Receipts.members(receipt)["signature"]?.stringValue)
                var signature = try #require(Base64.decode(text))
                signature[0] ^= 1
                return try Receipts.forged(receipt) { $0["signature"] = .string(Base64.encode(signature)) }
            },
            "signature does not verify"
        ),
        ("signature not a string", { try Receipts.forged($0) { $0["signature"] = 1 } }, "signature does not verify"),
        ("signature not base64", { try Receipts.forged($0) { $0["signature"] = "not base64!" } }, "signature does not verify"),
        ("signature removed", { try Receipts.forged($0) { $0["signature"] = nil } }, "no signature"),
        (
            "signed by another key",
            { receipt in
                let digits = Array(try #require(Receipts.members(receipt)["hash"]?.stringValue).utf8)
                let other = try ReceiptSigner(pem: otherPrivateKeyPEM).signature(ofHashDigits: digits[...])
                return try Receipts.forged(receipt) { $0["signature"] = .string(String(decoding: other, as: UTF8.self)) }
            },
            "signature does not verify"
        ),
    ]

    @Test("a tampered receipt or signature fails, naming the receipt", arguments: 0..<tamperings.count)
    func tampered(index: Int) throws {
        let tampering = Self.tamperings[index]
        var receipts = Self.ledger(signer: try Self.signer())
        // acme's seq 2, a transition.
        receipts[2] = try tampering.change(receipts[2])
        let report = Self.verify(receipts, publicKey: try ReceiptPublicKey(pem: Self.publicKeyPEM))
        let failure = try #require(report.failures.first, "\(tampering.name)")
        #expect(report.failures.count == 1, "\(tampering.name)")
        #expect(failure.tenantID == "acme")
        #expect(failure.seq == 2)
        #expect(failure.location == "autonomics.receipts/0@2")
        #expect(failure.description.hasPrefix("tenant \"acme\" at autonomics.receipts/0@2 seq 2: \(tampering.reason)"))
    }

    @Test("unsigned receipts fail when signatures are checked")
    func unsignedChecked() throws {
        let report = Self.verify(Self.ledger(signer: nil), publicKey: try ReceiptPublicKey(pem: Self.publicKeyPEM))
        #expect(report.failures.map(\.reason) == [.missingSignature, .missingSignature])
        #expect(report.failures.first?.description == "tenant \"acme\" at autonomics.receipts/0@0 seq 1: no signature")
    }

    @Test("known answer: the signature openssl pkeyutl -sign -rawin makes of the same hash digits")
    func knownAnswer() throws {
        let digits = Array("11c75481ff10e9a89d9dfc23641cb39e0e03578883d5e7fceb22152d8c0f8c45".utf8)
        let signature = String(decoding: try Self.signer().signature(ofHashDigits: digits[...]), as: UTF8.self)
        // Ed25519 is deterministic (RFC 8032): BoringSSL, under swift-crypto on Linux, gives openssl's bytes.
        #expect(signature == "IYoaDsELSSsLRufxg2Jt9li/r4IyPul0iyk7mN+XrClfwEvsVCje05mZW8iZKzTEtmSR1ds9EfbJs9SNZX+VCw==")
        let publicKey = try ReceiptPublicKey(pem: Self.publicKeyPEM)
        let hash = try #require(SHA256Hash(hex: String(decoding: digits, as: UTF8.self)))
        #expect(publicKey.isValid(signature: signature, of: hash))
        #expect(!publicKey.isValid(signature: signature, of: SHA256Hash(of: digits)))
    }

    @Test(
        "openssl verifies our signatures with a key it generated, and we verify its",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"))
    )
    func openSSLInterop() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ed25519-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func openssl(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.currentDirectoryURL = directory
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
        // The README's recipe.
        #expect(try openssl(["genpkey", "-algorithm", "ed25519", "-out", "key.pem"]) == 0)
        #expect(try openssl(["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]) == 0)
        let signer = try ReceiptSigner(pem: String(contentsOf: file("key.pem"), encoding: .utf8))
        let publicKey = try ReceiptPublicKey(pem: String(contentsOf: file("pub.pem"), encoding: .utf8))

        var receipts = Self.ledger(signer: signer)
        #expect(Self.verify(receipts, publicKey: publicKey).isValid)
        for receipt in receipts {
            let members = try Receipts.members(receipt)
            try Data(try #require(members["hash"]?.stringValue).utf8).write(to: file("msg"))
            let signature = try #require(members["signature"]?.stringValue)
            try Data(try #require(Base64.decode(signature))).write(to: file("sig"))
            let verify = ["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg", "-sigfile", "sig"]
            #expect(try openssl(verify) == 0)
            // And not another message.
            try Data("x".utf8).write(to: file("msg"))
            #expect(try openssl(verify) != 0)
        }

        // A receipt signed by openssl verifies here.
        let hash = try #require(Receipts.members(receipts[0])["hash"]?.stringValue)
        try Data(hash.utf8).write(to: file("msg"))
        #expect(try openssl(["pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-in", "msg", "-out", "sig"]) == 0)
        let signature = Base64.encode(try Data(contentsOf: file("sig")))
        receipts[0] = try Receipts.forged(receipts[0]) { $0["signature"] = .string(signature) }
        #expect(Self.verify(receipts, publicKey: publicKey).isValid)
    }

    @Test("keys that are not Ed25519 keys in openssl's PEM are refused, saying what they are")
    func badKeys() throws {
        func privateKeyError(_ text: String) -> Ed25519KeyError? {
            do {
                _ = try ReceiptSigner(pem: text)
                return nil
            } catch {
                return error
            }
        }
        let x25519 = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VuBCIEILBUj3lOExODQXzFUSJ72d54aCHO6vJFp8FYC5FLZnl4
            -----END PRIVATE KEY-----
            """
        let error = try #require(privateKeyError(x25519))
        #expect(error.description == "expected \(Ed25519PEM.privateKeyExpectation), found a private key of type X25519")
        #expect(privateKeyError("")?.found == "no PEM block")
        #expect(privateKeyError(Self.publicKeyPEM)?.found == "a PEM block -----BEGIN PUBLIC KEY-----")
        #expect(privateKeyError(String(Self.privateKeyPEM.dropLast(10)))?.found == "a PEM block without its END line")
        #expect(
            privateKeyError(Self.privateKeyPEM.replacingOccurrences(of: "MC4C", with: "MC4*"))?.found
                == "a PEM block whose body is not base64")
        // CRLF line ends, as an editor on Windows saves them, are fine.
        #expect(privateKeyError(Self.privateKeyPEM.replacingOccurrences(of: "\n", with: "\r\n")) == nil)

        #expect(throws: Ed25519KeyError.self) { try ReceiptPublicKey(pem: Self.privateKeyPEM) }
        let x25519Public = """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VuAyEAT+pg8PEDM0vd8sbgR6EYA/+fj+4DMFoEYLjK0QuEjGk=
            -----END PUBLIC KEY-----
            """
        do {
            _ = try ReceiptPublicKey(pem: x25519Public)
            Issue.record("an X25519 public key was accepted")
        } catch {
            #expect(error.found == "a public key of type X25519")
            #expect(error.expected == Ed25519PEM.publicKeyExpectation)
        }
    }
}
