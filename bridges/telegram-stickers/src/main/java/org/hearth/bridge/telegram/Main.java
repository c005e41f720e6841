package org.hearth.bridge.telegram;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.hearth.bridge.appservice.BridgeListener;
import org.hearth.bridge.appservice.BridgeStore;
import org.hearth.bridge.appservice.HomeserverClient;
import org.hearth.bridge.appservice.Registration;
import org.hearth.bridge.appservice.TransactionReceiver;

/**
 * {@code bot <config.properties>}: runs the bridge (the bot answering set links in DMs).
 * {@code import <config.properties> <set link or name> <room ID or alias> [<user access token>]}: imports one set
 * into a room and exits; with a user's token, also enables the pack for that user in every room.
 * {@code registration <config.properties> <homeserver name>}: writes a new registration file to
 * {@code registration.file}. The keys are in README.md.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
            return;
        }
        Properties config = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            config.load(in);
        }
        switch (args[0]) {
            case "registration" -> {
                if (args.length != 3) {
                    usage();
                    return;
                }
                Registration r = Registration.generate(config.getProperty("bridge.id", "telegram-stickers"),
                        config.getProperty("bridge.url", "http://127.0.0.1:29340"),
                        config.getProperty("bridge.bot_localpart", "stickerbot"), "_tgsticker_", args[2]);
                r.write(Path.of(required(config, "registration.file")));
                System.out.println("wrote " + config.getProperty("registration.file"));
            }
            case "bot" -> {
                try (Bridge bridge = Bridge.open(config)) {
                    URI url = URI.create(bridge.registration().url());
                    BridgeListener listener = BridgeListener.start(config.getProperty("bridge.bind_address", "127.0.0.1"),
                            url.getPort(), new TransactionReceiver(bridge.registration(),
                                    new StickerBot(bridge.client(), bridge.importer(), bridge.store()), bridge.store()));
                    System.out.println("listening on " + listener.port());
                    Thread.currentThread().join();
                }
            }
            case "import" -> {
                if (args.length != 4 && args.length != 5) {
                    usage();
                    return;
                }
                String set = SetLinks.parse(args[2]).orElseThrow(
                        () -> new IllegalArgumentException("not a sticker set link or name: " + args[2]));
                try (Bridge bridge = Bridge.open(config)) {
                    String room = bridge.client().bot().join(args[3]);
                    System.out.println(bridge.importer().importInto(set, room).summary());
                    if (args.length == 5) {
                        String user = new PackRooms(URI.create(required(config, "homeserver.url")), args[4]).enable(room, set);
                        System.out.println("enabled for " + user + " in every room");
                    }
                } catch (TelegramException e) {
                    System.err.println(e.getMessage());
                    System.exit(2);
                }
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: telegram-stickers bot CONFIG | import CONFIG SET ROOM [USER_TOKEN] | registration CONFIG SERVER_NAME");
        System.exit(64);
    }

    static String required(Properties config, String key) {
        String v = config.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("config key " + key + " is required");
        }
        return v;
    }

    /** The parts of a running bridge, from its config. */
    record Bridge(Registration registration, BridgeStore store, HomeserverClient client, StickerImporter importer)
            implements AutoCloseable {
        static Bridge open(Properties config) throws IOException {
            Registration registration = Registration.read(Path.of(required(config, "registration.file")));
            BridgeStore store = BridgeStore.open(registration.id(), required(config, "database.url"),
                    config.getProperty("database.user", "root"), config.getProperty("database.password", ""));
            HomeserverClient client = new HomeserverClient(URI.create(required(config, "homeserver.url")), registration);
            BotApi telegram = new BotApi(config.getProperty("telegram.api_url", "https://api.telegram.org"),
                    required(config, "telegram.bot_token"));
            return new Bridge(registration, store, client,
                    new StickerImporter(telegram, Converters.onPath(), store, client.bot()));
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
