package org.hearth.bridge.irc;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One client connection to the IRC server (the relay bot, or one Matrix user's puppet): registers with NICK/USER
 * (taking another nick on 432/433), answers PING, joins its channels again after every (re)connect, and reconnects
 * with exponential backoff (1 s doubling to 60 s) until closed. Every line it sends waits for its {@link TokenBucket}.
 */
public final class IrcConnection implements AutoCloseable {
    private static final Logger LOG = System.getLogger(IrcConnection.class.getName());
    static final long MAX_BACKOFF_MS = 60_000;

    /** What the connection reports; called on its reader thread, in the server's order. */
    public interface Listener {
        void onMessage(IrcConnection connection, IrcMessage message);

        default void onRegistered(IrcConnection connection) {
        }
    }

    private final String host;
    private final int port;
    private final String wantedNick;
    private final String realName;
    private final TokenBucket limiter;
    private final Listener listener;
    private final Set<String> channels = ConcurrentHashMap.newKeySet();
    private final Thread reader;
    private final Object writeLock = new Object();
    private volatile Socket socket;
    private volatile OutputStream out;
    private volatile String nick;
    private volatile boolean registered;
    private volatile boolean closed;
    private volatile CountDownLatch registeredLatch = new CountDownLatch(1);
    private volatile int connects;

    public IrcConnection(String host, int port, String nick, String realName, TokenBucket limiter, Listener listener) {
        this.host = host;
        this.port = port;
        this.wantedNick = nick;
        this.nick = nick;
        this.realName = realName;
        this.limiter = limiter;
        this.listener = listener;
        this.reader = Thread.ofVirtual().name("irc-" + nick).unstarted(this::run);
    }

    public IrcConnection start() {
        reader.start();
        return this;
    }

    public String nick() {
        return nick;
    }

    public boolean registered() {
        return registered;
    }

    /** How many times the connection registered with the server (1 after the first connect). */
    public int connects() {
        return connects;
    }

    /** Waits until the connection is registered (001 received); false on timeout. */
    public boolean awaitRegistered(long timeout, TimeUnit unit) throws InterruptedException {
        return registeredLatch.await(timeout, unit);
    }

    /** Joins now if connected, and after every reconnect. */
    public void join(String channel) {
        if (channels.add(channel.toLowerCase(Locale.ROOT)) && registered) {
            send(IrcMessage.of("JOIN", channel));
        }
    }

    public void part(String channel, String reason) {
        if (channels.remove(channel.toLowerCase(Locale.ROOT)) && registered) {
            send(IrcMessage.of("PART", channel, reason));
        }
    }

    public boolean inChannel(String channel) {
        return channels.contains(channel.toLowerCase(Locale.ROOT));
    }

    /** Sends a line (cut to 512 bytes) once the rate limit allows; dropped with a log line when disconnected. */
    public void send(IrcMessage message) {
        try {
            if (!"PONG".equals(message.command())) {
                limiter.take();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        write(message);
    }

    private void write(IrcMessage message) {
        byte[] bytes = (IrcText.fitLine(message.toLine()) + "\r\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            OutputStream o = out;
            if (o == null) {
                LOG.log(Level.WARNING, "not connected: dropped " + message.command() + " of " + nick);
                return;
            }
            try {
                o.write(bytes);
                o.flush();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "write failed for " + nick + ": " + e);
                closeSocket();
            }
        }
    }

    private void run() {
        long backoff = 1000;
        while (!closed) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 10_000);
                socket = s;
                out = s.getOutputStream();
                nick = wantedNick;
                write(IrcMessage.of("NICK", nick));
                write(IrcMessage.of("USER", ircUser(wantedNick), "0", "*", realName));
                InputStream in = new BufferedInputStream(s.getInputStream());
                byte[] line;
                while ((line = readLine(in)) != null) {
                    IrcMessage m = IrcMessage.parse(IrcMessage.decode(line));
                    if (m == null) {
                        continue;
                    }
                    if (handle(m)) {
                        backoff = 1000;
                    }
                    try {
                        listener.onMessage(this, m);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "handling " + m.command() + " failed", e);
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.INFO, "IRC connection of " + wantedNick + " lost: " + e);
                }
            } finally {
                synchronized (writeLock) {
                    out = null;
                }
                if (registered) {
                    registeredLatch = new CountDownLatch(1);
                }
                registered = false;
            }
            if (closed) {
                return;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    /** Connection-level replies; true once registered (the backoff starts over). */
    private boolean handle(IrcMessage m) {
        switch (m.command()) {
            case "PING" -> write(IrcMessage.of("PONG", m.param(0)));
            case "001" -> {
                nick = m.param(0);
                registered = true;
                connects++;
                for (String channel : channels) {
                    send(IrcMessage.of("JOIN", channel));
                }
                registeredLatch.countDown();
                listener.onRegistered(this);
                return true;
            }
            case "432", "433", "436" -> {
                if (!registered) {
                    nick = nextNick(nick);
                    write(IrcMessage.of("NICK", nick));
                }
            }
            case "NICK" -> {
                if (m.nick().equalsIgnoreCase(nick)) {
                    nick = m.param(0);
                }
            }
            default -> { }
        }
        return false;
    }

    /** Another nick to try: shortened to 9 characters (the RFC 1459 minimum every server takes) with a _ added. */
    static String nextNick(String current) {
        String base = current.length() >= 9 ? current.substring(0, 8) : current;
        return base + "_";
    }

    static String ircUser(String nick) {
        String user = nick.replaceAll("[^A-Za-z0-9]", "");
        return user.isEmpty() ? "hearth" : user.substring(0, Math.min(9, user.length()));
    }

    /** One line up to LF (CR dropped); lines over the limit are read whole but cut; null at end of stream. */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return line.toByteArray();
            }
            // IRCv3 message tags may make a line up to 8191 bytes; anything longer is not kept.
            if (b != '\r' && line.size() < 8192) {
                line.write(b);
            }
        }
        return line.size() > 0 ? line.toByteArray() : null;
    }

    /** Drops the current socket; the connection reconnects after its backoff. */
    public void disconnect() {
        closeSocket();
    }

    private void closeSocket() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (registered) {
            write(IrcMessage.of("QUIT", "bridge stopping"));
        }
        closeSocket();
        reader.interrupt();
    }
}
