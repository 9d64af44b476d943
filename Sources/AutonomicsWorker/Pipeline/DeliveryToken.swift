/// Identifies the consumed record behind a produced message, packed into the 64-bit opaque that librdkafka hands back
/// in the delivery report, so that no allocation or lookup table is needed per message.
///
/// Layout: bit 63 says the message went to the dead-letter topic, bits 47–62 hold the input partition, bits 0–46 the
/// input offset (enough for 1.4 × 10¹⁴ records per partition).
struct DeliveryToken: Equatable {
    var partition: Int32
    var offset: Int64
    var isDeadLetter: Bool

    private static let offsetBits: UInt64 = 47
    private static let offsetMask: UInt64 = (1 << offsetBits) - 1
    private static let partitionMask: UInt64 = 0xFFFF
    private static let deadLetterBit: UInt64 = 1 << 63

    init(partition: Int32, offset: Int64, isDeadLetter: Bool) {
        precondition(partition >= 0 && UInt64(partition) <= Self.partitionMask, "partition \(partition) out of range")
        precondition(offset >= 0 && UInt64(offset) <= Self.offsetMask, "offset \(offset) out of range")
        self.partition = partition
        self.offset = offset
        self.isDeadLetter = isDeadLetter
    }

    init(rawValue: UInt64) {
        partition = Int32(truncatingIfNeeded: (rawValue >> Self.offsetBits) & Self.partitionMask)
        offset = Int64(rawValue & Self.offsetMask)
        isDeadLetter = rawValue & Self.deadLetterBit != 0
    }

    var rawValue: UInt64 {
        (isDeadLetter ? Self.deadLetterBit : 0) | UInt64(partition) << Self.offsetBits | UInt64(offset)
    }
}
