import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import GCP
import Synchronization
import Testing

@testable import AutonomicsWorker

@Suite("Entitlement account cache and coalesced lookups")
struct EntitlementResolverTests {
    @Test("the cache keeps at most its capacity, evicting the least recently used")
    func cacheIsBounded() {
        var cache = EntitlementAccountCache(capacity: 3)
        for index in 0..<3 { cache.insert("e\(index)", accountID: "a\(index)") }
        #expect(cache.accountID(of: "e0") == "a0")  // e0 used: e1 is now the oldest
        cache.insert("e3", accountID: "a3")
        #expect(cache.count == 3)
        #expect(cache.accountID(of: "e1") == nil)
        #expect(cache.accountID(of: "e0") == "a0")
        for round in 0..<100 { cache.insert("e\(round % 5)", accountID: "x") }
        #expect(cache.count == 3)
    }

    /// An `Entitlement` as the Procurement API answers it.
    private static func entitlement(state: String) throws -> ProcurementEntitlement {
        let json = #"{"name":"providers/p/entitlements/e","account":"providers/p/accounts/acct","state":"\#(state)"}"#
        return try JSONDecoder().decode(ProcurementEntitlement.self, from: Data(json.utf8))
    }

    /// A Procurement GET that waits until the test lets it answer, counting calls.
    private final class GatedFetch: Sendable {
        let calls = Mutex(0)
        let gate = Mutex<[CheckedContinuation<Void, Never>]>([])
        let answer: Mutex<Result<ProcurementEntitlement, GCPError>>

        init() throws {
            answer = Mutex(.success(try EntitlementResolverTests.entitlement(state: "ENTITLEMENT_ACTIVE")))
        }

        func fetch(_ name: String) async throws(GCPError) -> ProcurementEntitlement {
            calls.withLock { $0 += 1 }
            await withCheckedContinuation { continuation in gate.withLock { $0.append(continuation) } }
            return try answer.withLock { $0 }.get()
        }

        /// Lets every GET that waits answer.
        func open() -> Int {
            let waiting = gate.withLock { gate in defer { gate = [] }; return gate }
            for continuation in waiting { continuation.resume() }
            return waiting.count
        }
    }

    private final class Answers: Sendable {
        let all = Mutex<[EntitlementResolver.Resolution]>([])
        var count: Int { all.withLock { $0.count } }
        func append(_ resolution: EntitlementResolver.Resolution) { all.withLock { $0.append(resolution) } }
    }

    @Test("lookups arriving while a GET runs share the next GET: two GETs for any burst, every answer read after its lookup")
    func lookupsAreCoalesced() async throws {
        let fetch = try GatedFetch()
        let resolver = EntitlementResolver(providerID: nil, cacheSize: 10, logger: testLogger, fetch: fetch.fetch)
        let answers = Answers()
        resolver.resolve("providers/p/entitlements/e") { answers.append($0) }
        await eventually("the first GET") { fetch.calls.withLock { $0 } == 1 }
        for _ in 0..<5 { resolver.resolve("providers/p/entitlements/e") { answers.append($0) } }
        #expect(fetch.calls.withLock { $0 } == 1, "no second GET while the first runs")

        // Changed after the five asked: they must not get the first GET's answer, read before.
        let suspended = try Self.entitlement(state: "ENTITLEMENT_SUSPENDED")
        #expect(fetch.open() == 1)
        await eventually("the first answer") { answers.count == 1 }
        fetch.answer.withLock { $0 = .success(suspended) }
        await eventually("the second GET, for the five that waited") { fetch.calls.withLock { $0 } == 2 }
        #expect(fetch.open() == 1)
        await eventually("six answers") { answers.count == 6 }
        let states = answers.all.withLock { $0 }.map { resolution -> String? in
            if case .found(let lookup) = resolution { lookup.state } else { nil }
        }
        #expect(states == ["ENTITLEMENT_ACTIVE"] + Array(repeating: "ENTITLEMENT_SUSPENDED", count: 5))
        #expect(resolver.lookupsInFlight == 0)
        #expect(resolver.cachedAccounts == 1)
    }

    @Test("a 404 is unresolvable unless the account is cached: then the entitlement is deleted")
    func notFound() async throws {
        let fetch = try GatedFetch()
        let resolver = EntitlementResolver(providerID: "p", cacheSize: 10, logger: testLogger, fetch: fetch.fetch)
        let answers = Answers()
        let name = try #require(resolver.entitlementName(id: "e", messageProviderID: "other"))
        #expect(name == "providers/p/entitlements/e", "the configured provider wins")
        fetch.answer.withLock { $0 = .failure(GCPError(operation: "get", httpStatus: 404, body: [])) }
        resolver.resolve(name) { answers.append($0) }
        await eventually("the GET") { fetch.open() == 1 }
        await eventually("the answer") { answers.count == 1 }
        guard case .unresolvable = answers.all.withLock({ $0[0] }) else {
            Issue.record("a 404 of an unknown entitlement is unresolvable")
            return
        }
        let active = try Self.entitlement(state: "ENTITLEMENT_ACTIVE")
        fetch.answer.withLock { $0 = .success(active) }
        resolver.resolve(name) { answers.append($0) }
        await eventually("the second GET") { fetch.open() == 1 }
        await eventually("its answer, which caches the account") { answers.count == 2 }
        fetch.answer.withLock { $0 = .failure(GCPError(operation: "get", httpStatus: 404, body: [])) }
        resolver.resolve(name) { answers.append($0) }
        await eventually("the third GET") { fetch.open() == 1 }
        await eventually("three answers") { answers.count == 3 }
        #expect(answers.all.withLock { $0[2] } == .found(EntitlementLookup(name: name, accountID: "acct", state: nil)))
    }
}
