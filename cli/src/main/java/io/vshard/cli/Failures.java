package io.vshard.cli;

import java.net.BindException;
import java.net.PortUnreachableException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Turns an exception into the one line a person needs: what failed (the outermost message) and why (read from the
 * cause chain: nothing listening, handshake refused, bad certificate, timeout, address in use), without the
 * {@code : null} of a cause that has no message.
 */
final class Failures
{
    private Failures()
    {
    }

    /**
     * One line for an exception.
     *
     * @param ex the failure.
     * @return what failed and why.
     */
    static String describe(final Throwable ex)
    {
        final List<Throwable> chain = new ArrayList<>();
        for (Throwable t = ex; null != t && !chain.contains(t); t = t.getCause())
        {
            chain.add(t);
        }
        String what = null != ex.getMessage() ? ex.getMessage() : ex.getClass().getSimpleName();
        if (null != ex.getCause())
        {
            // "cannot connect to X: <the cause's text>": the reason below says it better.
            for (final String causeText : new String[]{": " + ex.getCause(), ": " + ex.getCause().getMessage()})
            {
                if (what.endsWith(causeText) && what.length() > causeText.length())
                {
                    what = what.substring(0, what.length() - causeText.length());
                    break;
                }
            }
        }
        while (what.endsWith(": null"))
        {
            what = what.substring(0, what.length() - ": null".length());
        }
        final String why = reason(chain);
        if (null == why || what.contains(why))
        {
            return what;
        }
        return what + ": " + why;
    }

    /**
     * Whether binding a socket failed.
     *
     * @param ex the failure.
     * @return true when the cause chain says a bind failed.
     */
    static boolean isBindFailure(final Throwable ex)
    {
        for (Throwable t = ex; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            final String message = null == t.getMessage() ? "" : t.getMessage();
            if (t instanceof BindException || message.startsWith("bind(") ||
                message.contains("Address already in use") || message.contains("Cannot assign requested address"))
            {
                return true;
            }
        }
        return false;
    }

    private static String reason(final List<Throwable> chain)
    {
        for (final Throwable t : chain)
        {
            final String message = null == t.getMessage() ? "" : t.getMessage();
            final String lower = message.toLowerCase(Locale.ROOT);
            if (t instanceof TimeoutException)
            {
                return "no handshake within the timeout: nothing listening there, UDP to it dropped, or the node " +
                    "refused this certificate";
            }
            if (t instanceof PortUnreachableException || lower.contains("connection refused") ||
                lower.contains("port unreachable"))
            {
                return "nothing listening there (port unreachable)";
            }
            if (lower.contains("certificate") || lower.contains("handshake_failure") || lower.contains("bad_cert") ||
                lower.contains("unknown_ca") || t instanceof SSLException)
            {
                return "TLS handshake failed, bad certificate (" + message.substring(message.lastIndexOf(':') + 1) +
                    "): both sides need certificates from the same cluster CA, valid now, for this cluster";
            }
            if (t instanceof BindException || lower.contains("address already in use") ||
                lower.contains("cannot assign requested address"))
            {
                return message;
            }
        }
        for (final Throwable t : chain)
        {
            if (t instanceof ClosedChannelException || "connection closed".equals(t.getMessage()))
            {
                return "the node closed the connection during the handshake (refused: at its connection limit, " +
                    "shutting down, or it does not accept this certificate)";
            }
        }
        final Throwable root = chain.get(chain.size() - 1);
        return chain.size() > 1 && null != root.getMessage() ? root.getMessage() : null;
    }
}
