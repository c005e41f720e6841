package org.hearth.core.port;

import java.util.Set;
import org.hearth.spec.id.UserId;

/**
 * Told after a local user's end-to-end keys changed, committed: the sync streams implement it for
 * {@code device_lists.changed} (spec: "Tracking the device list for a user", "Cross-signing"), federation will
 * for {@code m.device_list_update} and {@code m.signing_key_update}. Called after the commit; must not throw.
 */
public interface KeyChanges {
    KeyChanges NONE = new KeyChanges() {
        @Override
        public void keysChanged(UserId user) {
        }

        @Override
        public void signaturesChanged(UserId signer, Set<UserId> targets) {
        }
    };

    /**
     * Device keys, master or self-signing key, or a signature on them changed: everyone sharing a room with
     * {@code user} is told.
     */
    void keysChanged(UserId user);

    /**
     * {@code signer}'s user-signing key changed ({@code targets} = the signer) or signed {@code targets}' master
     * keys: only {@code signer} is told, since nobody else sees those signatures.
     */
    void signaturesChanged(UserId signer, Set<UserId> targets);
}
