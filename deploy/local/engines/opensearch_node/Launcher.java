/*
 * An embedded single-node OpenSearch for the local DLHub stack (deploy/local).
 *
 * Usage: java -cp '<libs>/*:<classes>' Launcher key=value ...
 *
 * Every argument is one node setting (path.home, http.port, ...). The node runs
 * the plugins named by the "launcher.plugins" argument (comma-separated class
 * names) from the classpath; nothing is read from modules/ or plugins/. Logs go
 * to stdout. SIGTERM (or SIGINT) runs a shutdown hook that closes the node and
 * waits for it, so the data folder is left consistent.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

public final class Launcher {

    private static final String PLUGINS = "launcher.plugins";

    /** Node's constructor that takes classpath plugins is protected. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got: " + arg);
            }
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (key.equals(PLUGINS)) {
                for (String name : value.split(",")) {
                    if (!name.isBlank()) {
                        plugins.add(Class.forName(name.trim()).asSubclass(Plugin.class));
                    }
                }
            } else {
                builder.put(key, value);
            }
        }
        Settings settings = builder.build();
        if (settings.get("path.home") == null) {
            throw new IllegalArgumentException("path.home=<folder> is required");
        }
        Path home = Path.of(settings.get("path.home"));
        Path config = home.resolve("config");
        for (Path dir : List.of(config, home.resolve("modules"), home.resolve("plugins"))) {
            Files.createDirectories(dir);
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), config, () -> "dlhub-opensearch");
        // No log4j2.properties: everything goes to the console (our log file).
        LogConfigurator.registerErrorListener();
        LogConfigurator.configureWithoutConfig(environment.settings());

        Node node = new EmbeddedNode(environment, plugins);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(20, TimeUnit.SECONDS)) {
                    System.err.println("launcher: node did not close within 20s");
                }
                System.out.println("launcher: node closed");
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "launcher-shutdown"));
        node.start();
        System.out.println("launcher: node started");
        closed.await();  // keep a non-daemon thread alive until the hook has run
    }
}
