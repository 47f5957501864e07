package org.flinkreinforce.formats.snapshot;

import java.nio.charset.StandardCharsets;

/**
 * An order-independent digest of a set of event ids: the sum, modulo 2^64, of a 64-bit hash of each
 * id's UTF-8 bytes. Applying the same events in any order, split into any micro-batches, gives the
 * same digest, and each snapshot carries the digest of every event ever applied to it, so anyone
 * who knows the ids sent can check that each was applied exactly once.
 *
 * <p>The hash is FNV-1a 64 followed by the SplitMix64 finaliser (so similar ids spread over all
 * bits): {@code h = 0xcbf29ce484222325; for each byte b: h = (h ^ b) * 0x100000001b3; then h ^= h
 * >>> 30; h *= 0xbf58476d1ce4e5b9; h ^= h >>> 27; h *= 0x94d049bb133111eb; h ^= h >>> 31}.
 */
public final class EventDigest {

    private EventDigest() {}

    /** The 64-bit hash of one event id. */
    public static long hash(String eventId) {
        byte[] bytes = eventId.getBytes(StandardCharsets.UTF_8);
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }

    /** {@code digest} with one more event folded in. */
    public static long add(long digest, String eventId) {
        return digest + hash(eventId);
    }

    /** The digest of a collection of event ids. */
    public static long of(Iterable<String> eventIds) {
        long digest = 0;
        for (String id : eventIds) {
            digest = add(digest, id);
        }
        return digest;
    }
}
