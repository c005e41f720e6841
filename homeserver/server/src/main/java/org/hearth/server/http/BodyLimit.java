package org.hearth.server.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.regex.Pattern;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * The listener's payload limit is the larger of the JSON limit and the media upload limit (Helidon has one per
 * listener); this filter answers 413 M_TOO_LARGE from the declared length for every other path, before its body
 * is read. Chunked bodies are bounded by {@link JsonBody} and the upload code.
 */
public final class BodyLimit implements Filter {
    private static final Pattern UPLOAD = Pattern.compile("/_matrix/media/(r0|v1|v3)/upload(/.*)?");
    private final long maxBytes;

    public BodyLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBytes && !UPLOAD.matcher(req.path().path()).matches()) {
            throw new MatrixException(ErrorCode.TOO_LARGE, "Request body is over " + maxBytes + " bytes");
        }
        chain.proceed();
    }
}
