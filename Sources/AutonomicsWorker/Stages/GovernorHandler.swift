import AutonomicsCore
import DequeModule
import Kafka
import Logging

/// The governor stage's handler for one shard: runs each tenant's machines (entitlement, governor) on its inputs —
/// tenant events, operator commands from the control topic, and the results of its actions, which come back
/// through the shard's mailbox — and delivers every decision's receipts, hash-chained per tenant, before it acts.
///
/// A tenant's state advances only with what is delivered. One input of a tenant is decided at a time: its receipts
/// (the event's own, then the decision's) are produced one after the other, each once the one before it is
/// delivered and committed to the ledger; when the last is delivered the decision is applied to the tenant and its
/// actions and Procurement calls are started. Meanwhile the tenant's later inputs wait here, in order (other
/// tenants go on). A receipt that cannot be delivered leaves the decision unapplied and dead-letters its record as
/// `publish_failed`; no receipt ever links to one nobody can read.
///
/// Receipts of a tenant-events partition go to the same partition of the receipts topic (both are keyed by tenant
/// and have the same partition count), so the owner of a partition restores its tenants from that one partition.
/// The control topic has that partition count too: a tenant's commands arrive on the partition its events do.
final class GovernorHandler: ShardHandler {
    /// Which tenant's decision a receipt in flight belongs to.
    struct Pending {
        let partition: Int32
        let tenantID: String
    }

    struct Settings {
        var tenantEventsTopic: String
        var receiptsTopic: String
        var controlTopic: String
        var spec: SKUSpec
    }

    private struct PartitionState {
        var ledger: ReceiptLedger
        var tenants: [String: TenantSlot] = [:]
        /// Which assignment of the partition this is: an action's result from an earlier one is not this one's.
        var generation = 0
    }

    /// A tenant, the decision whose receipts are being delivered, and the inputs waiting for it.
    private struct TenantSlot {
        var tenant: Tenant
        var decision: DecisionInFlight?
        var waiting: Deque<Input> = []
    }

    private enum Input {
        case event(KafkaMessage, ParsedTenantEvent)
        case command(KafkaMessage, OperatorCommand)
        case actionResult(ActionResult)

        var record: KafkaMessage? {
            switch self {
            case .event(let record, _), .command(let record, _): record
            case .actionResult: nil
            }
        }
    }

    /// A decision's receipts in chain order, how many are delivered, and the decision to apply after the last.
    private struct DecisionInFlight {
        var record: KafkaMessage?
        var steps: [TenantStep]
        var delivered = 0
        /// Times the receipt after the delivered ones was sent again.
        var resent = 0
        var decision: TenantDecision?
    }

    /// How often a receipt is sent again once part of its decision is in the chain.
    static let resends = 3

    private let settings: Settings
    private let makeLedger: () -> ReceiptLedger
    private let effects: any GovernorEffects
    private let metrics: WorkerMetrics
    private let logger: Logger
    private let now: () -> Int64
    private var partitions: [Int32: PartitionState] = [:]
    private var generations = 0
    private var counts = GovernorMetrics.Counts()

    init(
        settings: Settings, makeLedger: @escaping () -> ReceiptLedger, effects: any GovernorEffects, metrics: WorkerMetrics,
        logger: Logger, now: @escaping () -> Int64
    ) {
        self.settings = settings
        self.makeLedger = makeLedger
        self.effects = effects
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    /// Takes over the restored ledger of a newly assigned partition (this shard's tenants of it).
    func adopt(_ ledger: ReceiptLedger, partition: Int32) {
        generations += 1
        partitions[partition] = PartitionState(ledger: ledger, generation: generations)
    }

    func handle(_ record: KafkaMessage, now: Int64, outbox: ShardOutbox<GovernorHandler>) -> RecordOutcome {
        let input: Input
        let tenantID: String
        do throws(Rejection) {
            if record.topic == settings.controlTopic {
                tenantID = try Self.controlTenant(record)
                // Keyed by tenant with the murmur2 partitioner, a command lands on the partition of the tenant's
                // events; elsewhere it would start a second chain for the tenant.
                guard let state = partitions[record.partition], state.tenants[tenantID] != nil || state.ledger.head(of: tenantID) != nil
                else {
                    throw Rejection(
                        code: .invalidTenantEvent,
                        message: "tenant \(tenantID) has no events on partition \(record.partition): produce commands keyed by tenant with the murmur2_random partitioner")
                }
                input = .command(record, try OperatorCommand(controlRecord: record.value ?? [], time: record.timestamp ?? now))
            } else {
                let event = try ParsedTenantEvent(decoding: record.value ?? [])
                // Shards and restored chains follow the key; a record keyed otherwise would start a second chain.
                guard record.key.map({ $0.elementsEqual(event.tenantID.utf8) }) == true else {
                    throw Rejection(code: .invalidTenantEvent, message: "record key is not the tenant_id \(event.tenantID)")
                }
                (tenantID, input) = (event.tenantID, .event(record, event))
            }
        } catch {
            return outbox.deadLetter(record, error)
        }
        return take(input, tenantID: tenantID, partition: record.partition, outbox: outbox)
    }

    /// The tenant a control record is for: its key, and only its key.
    private static func controlTenant(_ record: KafkaMessage) throws(Rejection) -> String {
        guard let key = record.key, let tenantID = String(validating: key, as: UTF8.self), Normalizer.isValidTenantID(tenantID)
        else {
            throw Rejection(code: .invalidTenantEvent, message: "a control record's key must be the tenant id it is for")
        }
        return tenantID
    }

    func delivered(_ pending: Pending, record: KafkaMessage?, outbox: ShardOutbox<GovernorHandler>) {
        withTenant(pending) { state, slot in
            guard var flight = slot.decision else { return }
            state.ledger.commit(flight.steps[flight.delivered])
            flight.delivered += 1
            counts.receiptsWritten += 1
            if flight.delivered < flight.steps.count {
                slot.decision = flight
                publishRest(flight, pending: pending, outbox: outbox)
                return
            }
            slot.decision = nil
            if let decision = flight.decision {
                apply(decision, to: &slot, partition: pending.partition, generation: state.generation, outbox: outbox)
            }
            flight.record.map(outbox.finish)
        }
        resumeWaiting(pending, outbox: outbox)
    }

    func failed(_ pending: Pending, record: KafkaMessage?, error: KafkaError, outbox: ShardOutbox<GovernorHandler>) {
        let settled = withTenant(pending) { _, slot -> Bool in
            guard var flight = slot.decision else { return true }
            guard flight.delivered > 0 || flight.record == nil else {
                slot.decision = nil
                notDelivered(flight, error: error, outbox: outbox)
                return true
            }
            // Part of the decision is in the chain already (dropping the rest would leave receipts describing a
            // decision never applied, and its event, in the dedup window, could not be replayed), or it decides an
            // action's result, which nothing would bring again: send it again.
            guard flight.resent < Self.resends else {
                outbox.stopStage(.decisionPartlyDelivered(
                    tenantID: pending.tenantID, delivered: flight.delivered, of: flight.steps.count, error: error))
                return false
            }
            flight.resent += 1
            slot.decision = flight
            publishRest(flight, pending: pending, outbox: outbox)
            return false
        }
        if settled == true { resumeWaiting(pending, outbox: outbox) }
    }

    func release(_ released: Set<KafkaTopicPartition>) -> Int {
        // Control partitions go with the tenant-events partitions of the same number; the state is dropped with those.
        released.filter { $0.topic != settings.controlTopic }.reduce(0) { dropped, partition in
            guard let state = partitions.removeValue(forKey: partition.partition) else { return dropped }
            counts.forget(state.tenants.values.lazy.map(\.tenant))
            // A record whose receipt is in flight is the outbox's to release; the waiting ones are held here.
            return dropped + state.tenants.values.reduce(0) { $0 + $1.waiting.count { $0.record != nil } }
        }
    }

    func endOfBatch() {
        metrics.governor.record(counts)
        counts = GovernorMetrics.Counts()
    }

    /// The state of a tenant this shard holds, for `GET /tenants/{id}`: its machines (as its state record has
    /// them), whether a decision's receipts are in flight, the inputs waiting, and its last receipt. Nil when no
    /// partition here knows the tenant.
    func view(of tenantID: String) -> JSONValue? {
        for (partition, state) in partitions {
            let head = state.ledger.head(of: tenantID)
            let slot = state.tenants[tenantID]
            guard slot != nil || head != nil, case .object(var view) = (slot?.tenant ?? Tenant(id: tenantID)).stateRecord
            else { continue }
            view["partition"] = .integer(Int64(partition))
            view["deciding"] = .bool(slot?.decision != nil)
            view["waiting_inputs"] = .integer(Int64(slot?.waiting.count ?? 0))
            view["last_receipt"] = head.map { ["seq": .integer($0.seq), "hash": .string($0.hash)] } ?? .null
            return .object(view)
        }
        return nil
    }

    /// An action's result, back on the shard's thread: decided like any input of its tenant, in turn.
    private func actionFinished(
        _ result: ActionResult, tenantID: String, partition: Int32, generation: Int, outbox: ShardOutbox<GovernorHandler>
    ) {
        guard partitions[partition]?.generation == generation else {
            // The partition moved away meanwhile; its new owner restored the tenant without this action.
            logger.warning("action result for a partition no longer owned dropped", metadata: [
                "tenant.id": "\(tenantID)", "action.request_id": "\(result.requestID)", "kafka.partition": "\(partition)",
            ])
            return
        }
        _ = take(.actionResult(result), tenantID: tenantID, partition: partition, outbox: outbox)
    }

    /// Decides `input` now, or queues it behind the tenant's decision in flight.
    private func take(_ input: Input, tenantID: String, partition: Int32, outbox: ShardOutbox<GovernorHandler>) -> RecordOutcome {
        var state = partitions.removeValue(forKey: partition) ?? PartitionState(ledger: makeLedger())
        defer { partitions[partition] = state }
        var slot = state.tenants.removeValue(forKey: tenantID) ?? newSlot(tenantID)
        defer { state.tenants[tenantID] = slot }
        guard slot.decision == nil else {
            slot.waiting.append(input)
            return .deferred
        }
        return decide(input, slot: &slot, state: &state, partition: partition, outbox: outbox)
    }

    private func newSlot(_ tenantID: String) -> TenantSlot {
        let slot = TenantSlot(tenant: Tenant(id: tenantID))
        counts.added(slot.tenant)
        return slot
    }

    /// Decides one input of a tenant with nothing in flight and puts its first receipt in flight.
    private func decide(
        _ input: Input, slot: inout TenantSlot, state: inout PartitionState, partition: Int32, outbox: ShardOutbox<GovernorHandler>
    ) -> RecordOutcome {
        let tenantID = slot.tenant.id
        let now = now()
        let steps: [TenantStep]
        let decision: TenantDecision?
        switch input {
        case .event(_, let event):
            guard let eventStep = state.ledger.step(event, now: now) else {
                counts.duplicates += 1
                return .finished
            }
            decision = TenantInput(event).map { slot.tenant.decide($0, spec: settings.spec) }
            steps = [eventStep] + state.ledger.steps(appending: decision?.receipts ?? [], tenantID: tenantID, now: now, after: eventStep)
        case .command(_, let command):
            decision = slot.tenant.decide(.operatorCommand(command), spec: settings.spec)
            steps = state.ledger.steps(appending: decision?.receipts ?? [], tenantID: tenantID, now: now)
        case .actionResult(let result):
            decision = slot.tenant.decide(.actionResult(result), spec: settings.spec)
            steps = state.ledger.steps(appending: decision?.receipts ?? [], tenantID: tenantID, now: now)
        }
        guard !steps.isEmpty else {
            if let decision { apply(decision, to: &slot, partition: partition, generation: state.generation, outbox: outbox) }
            return .finished
        }
        let flight = DecisionInFlight(record: input.record, steps: steps, decision: decision)
        slot.decision = flight
        do {
            try publish(steps[0], of: flight, pending: Pending(partition: partition, tenantID: tenantID), outbox: outbox)
        } catch {
            // Refused at once (too large, say): nothing of the decision is in the chain.
            slot.decision = nil
            notDelivered(flight, error: error, outbox: outbox)
            return input.record == nil ? .finished : .deadLettered
        }
        return .published
    }

    /// Produces one receipt of a decision.
    /// - Throws: what librdkafka refuses at once (a receipt over `message.max.bytes`, say).
    private func publish(_ step: TenantStep, of flight: DecisionInFlight, pending: Pending, outbox: ShardOutbox<GovernorHandler>) throws {
        let receipt = StageOutput(
            topic: settings.receiptsTopic, partition: pending.partition, key: Array(pending.tenantID.utf8), value: step.receipt.bytes)
        if let record = flight.record {
            try outbox.publish(receipt, for: record, pending: pending)
        } else {
            let input = KafkaTopicPartition(topic: settings.tenantEventsTopic, partition: pending.partition)
            try outbox.publish(receipt, onBehalfOf: input, pending: pending)
        }
    }

    /// Produces the next receipt of a decision part of which is delivered (or that decides an action's result).
    /// Refused at once, it will not go either when sent again: the stage stops, and a restart resumes from the
    /// last delivered receipt.
    private func publishRest(_ flight: DecisionInFlight, pending: Pending, outbox: ShardOutbox<GovernorHandler>) {
        do {
            try publish(flight.steps[flight.delivered], of: flight, pending: pending, outbox: outbox)
        } catch {
            outbox.stopStage(.decisionPartlyDelivered(
                tenantID: pending.tenantID, delivered: flight.delivered, of: flight.steps.count, error: error))
        }
    }

    /// A decision of a record none of whose receipts arrived: it is not applied, and the record is dead-lettered (a
    /// replay decides it again: the event id enters the dedup window only with a delivered event receipt).
    private func notDelivered(_ flight: DecisionInFlight, error: any Error, outbox: ShardOutbox<GovernorHandler>) {
        counts.undelivered += 1
        guard let record = flight.record else { return }
        _ = outbox.deadLetter(record, Rejection(code: .publishFailed, message: "publishing the output failed: \(error)"))
    }

    /// Makes a delivered decision the tenant's state and starts what it asks of Google Cloud.
    private func apply(
        _ decision: TenantDecision, to slot: inout TenantSlot, partition: Int32, generation: Int, outbox: ShardOutbox<GovernorHandler>
    ) {
        counts.record(decision, before: slot.tenant)
        slot.tenant.apply(decision)
        let tenantID = slot.tenant.id
        let schedule = outbox.scheduler
        for request in decision.actionRequests {
            logger.info("action started", metadata: [
                "tenant.id": "\(tenantID)", "action.request_id": "\(request.id)", "action.name": "\(request.action)",
                "action.adapter": "\(request.adapter.name)", "action.target": "\(request.target)",
            ])
            effects.perform(request) { result in
                schedule { handler, outbox in
                    handler.actionFinished(result, tenantID: tenantID, partition: partition, generation: generation, outbox: outbox)
                }
            }
        }
        for request in decision.procurementRequests {
            effects.perform(request)
        }
    }

    /// Decides the inputs that waited for a tenant's decision, until one puts receipts in flight again.
    private func resumeWaiting(_ pending: Pending, outbox: ShardOutbox<GovernorHandler>) {
        while let next = withTenant(pending, { _, slot in slot.decision == nil ? slot.waiting.popFirst() : nil }) {
            let outcome = take(next, tenantID: pending.tenantID, partition: pending.partition, outbox: outbox)
            next.record.map { outbox.settle($0, outcome) }
        }
    }

    /// Runs `body` on a tenant's slot in place; nil when its partition was released.
    @discardableResult
    private func withTenant<Result>(_ pending: Pending, _ body: (inout PartitionState, inout TenantSlot) -> Result?) -> Result? {
        guard var state = partitions.removeValue(forKey: pending.partition) else { return nil }
        defer { partitions[pending.partition] = state }
        guard var slot = state.tenants.removeValue(forKey: pending.tenantID) else { return nil }
        defer { state.tenants[pending.tenantID] = slot }
        return body(&state, &slot)
    }
}
