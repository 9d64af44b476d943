import AutonomicsCore
import GCP
import Logging
import Synchronization

/// Resolves the tenant of Marketplace entitlement events through the Procurement API: GETs the entitlement and
/// answers with its account and state, off the caller's thread (the GCP client runs its transfers on libcurl's
/// own thread), through a completion called on whichever thread the answer arrives.
///
/// Every event gets a GET that started after the event was handed in: events announce state changes, so an answer
/// read before one of them could miss its change. Lookups of one entitlement are coalesced around that rule:
/// while a GET runs, further lookups wait for the next GET and share it, so a burst of events for one entitlement
/// costs at most two GETs, however long the burst.
///
/// The client retries 429, 5xx and timeouts within its deadline (`[gcp] request_timeout_seconds`); what still fails
/// then is unresolvable (the event is dead-lettered, replayable), as is a 404 for an entitlement whose account is
/// not in the cache (``EntitlementAccountCache``). A 404 for one that is answers `deleted` for its account.
final class EntitlementResolver: Sendable {
    typealias Fetch = @Sendable (_ name: String) async throws(GCPError) -> ProcurementEntitlement
    typealias Completion = @Sendable (Resolution) -> Void

    /// How a lookup ended.
    enum Resolution: Sendable, Equatable {
        case found(EntitlementLookup)
        /// Why the entitlement's tenant cannot be resolved: dead-letter the event with this message.
        case unresolvable(String)
        /// The lookup was cancelled (the GCP client shut down with the worker): leave the event unfinished, so
        /// that it is consumed again after a restart.
        case cancelled
    }

    /// Lookups of one entitlement: those the running GET answers, and those waiting for the next one.
    private struct Coalesced {
        var running: [Completion]
        var next: [Completion] = []
    }

    private struct State {
        var accounts: EntitlementAccountCache
        var lookups: [String: Coalesced] = [:]
    }

    /// The Procurement provider whose entitlements this worker reads (`[intake] procurement_provider_id`); nil
    /// takes the `providerId` each message names.
    let providerID: String?
    private let fetch: Fetch
    private let state: Mutex<State>
    private let logger: Logger

    init(providerID: String?, cacheSize: Int, logger: Logger, fetch: @escaping Fetch) {
        self.providerID = providerID
        self.fetch = fetch
        self.state = Mutex(State(accounts: EntitlementAccountCache(capacity: cacheSize)))
        self.logger = logger
    }

    convenience init(procurement: ProcurementClient, providerID: String?, cacheSize: Int, logger: Logger) {
        self.init(providerID: providerID, cacheSize: cacheSize, logger: logger) { name async throws(GCPError) in
            try await procurement.getEntitlement(name)
        }
    }

    /// The resource name of an entitlement, with the configured provider or else the message's; nil when neither
    /// names one.
    func entitlementName(id: String, messageProviderID: String?) -> String? {
        guard let provider = providerID ?? messageProviderID, !provider.isEmpty else { return nil }
        return "providers/\(provider)/entitlements/\(id)"
    }

    /// Looks `name` up and calls `completion` once with the answer, from another thread.
    func resolve(_ name: String, completion: @escaping Completion) {
        let startsGET = state.withLock { state in
            if state.lookups[name] != nil {
                state.lookups[name]?.next.append(completion)
                return false
            }
            state.lookups[name] = Coalesced(running: [completion])
            return true
        }
        if startsGET { startGET(name) }
    }

    /// Entitlements with a lookup running, for tests and metrics.
    var lookupsInFlight: Int { state.withLock { $0.lookups.count } }

    /// Entitlements whose account is cached.
    var cachedAccounts: Int { state.withLock { $0.accounts.count } }

    private func startGET(_ name: String) {
        Task {
            let outcome: Result<ProcurementEntitlement, GCPError>
            do throws(GCPError) {
                outcome = .success(try await fetch(name))
            } catch {
                outcome = .failure(error)
            }
            let (resolution, answered, again) = state.withLock { state in
                let resolution = Self.resolution(of: name, outcome, accounts: &state.accounts)
                let answered = state.lookups[name]?.running ?? []
                let waiting = state.lookups[name]?.next ?? []
                state.lookups[name] = waiting.isEmpty ? nil : Coalesced(running: waiting)
                return (resolution, answered, !waiting.isEmpty)
            }
            if again { startGET(name) }
            if case .unresolvable(let reason) = resolution {
                logger.info("entitlement unresolvable", metadata: ["procurement.entitlement": "\(name)", "error.message": "\(reason)"])
            }
            for completion in answered {
                completion(resolution)
            }
        }
    }

    private static func resolution(
        of name: String, _ outcome: Result<ProcurementEntitlement, GCPError>, accounts: inout EntitlementAccountCache
    ) -> Resolution {
        switch outcome {
        case .success(let entitlement):
            guard let accountID = entitlement.accountID, !accountID.isEmpty else {
                return .unresolvable("the Procurement API answered \(name) without an account")
            }
            guard let state = entitlement.state else {
                return .unresolvable("the Procurement API answered \(name) without a state")
            }
            accounts.insert(name, accountID: accountID)
            return .found(EntitlementLookup(
                name: name, accountID: accountID, state: state, plan: entitlement.plan,
                newPendingPlan: entitlement.newPendingPlan, updateTime: entitlement.updateTime))
        case .failure(let error) where error.code == .cancelled:
            return .cancelled
        case .failure(let error) where error.isNotFound:
            // Gone: deleted, if this worker saw it before and so knows whose it was.
            guard let accountID = accounts.accountID(of: name) else {
                return .unresolvable("the Procurement API does not know \(name) (\(error))")
            }
            return .found(EntitlementLookup(name: name, accountID: accountID, state: nil))
        case .failure(let error):
            return .unresolvable("reading \(name) from the Procurement API failed: \(error)")
        }
    }
}
