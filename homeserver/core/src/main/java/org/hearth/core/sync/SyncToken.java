package org.hearth.core.sync;

import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * A position in every stream that feeds /sync ({@code next_batch}, {@code since}). Opaque to clients (spec:
 * "Syncing"): {@code s<rooms>_<typing>_<receipts>_<presence>_<account data>_<to-device>_<device lists>}.
 */
public record SyncToken(long rooms, long typing, long receipts, long presence, long accountData, long toDevice,
                        long deviceLists) {
    public static final SyncToken ZERO = new SyncToken(0, 0, 0, 0, 0, 0, 0);
    private static final int PARTS = 7;

    public SyncToken {
        if (rooms < 0 || typing < 0 || receipts < 0 || presence < 0 || accountData < 0 || toDevice < 0
                || deviceLists < 0) {
            throw new IllegalArgumentException("negative stream position");
        }
    }

    /** {@code M_INVALID_PARAM} for anything {@link #toString} did not write. */
    public static SyncToken parse(String token) {
        if (token == null || token.length() < 2 || token.charAt(0) != 's' || token.length() > 200) {
            throw invalid(token);
        }
        String[] parts = token.substring(1).split("_", -1);
        if (parts.length != PARTS) {
            throw invalid(token);
        }
        long[] p = new long[PARTS];
        for (int i = 0; i < PARTS; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 18 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw invalid(token);
            }
            p[i] = Long.parseLong(parts[i]);
        }
        return new SyncToken(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
    }

    private static MatrixException invalid(String token) {
        return new MatrixException(ErrorCode.INVALID_PARAM, "Invalid since token");
    }

    /** True when some stream of {@code other} is ahead of this one. */
    public boolean isBefore(SyncToken other) {
        return rooms < other.rooms || typing < other.typing || receipts < other.receipts
                || presence < other.presence || accountData < other.accountData || toDevice < other.toDevice
                || deviceLists < other.deviceLists;
    }

    @Override
    public String toString() {
        return "s" + rooms + "_" + typing + "_" + receipts + "_" + presence + "_" + accountData + "_" + toDevice
                + "_" + deviceLists;
    }
}
