package org.hearth.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A scenario's result: a Markdown section with machine, date, server and load, printed and appended to a file. */
final class Report {
    private final String title;
    private final List<String> notes = new ArrayList<>();
    private final List<String[]> rows = new ArrayList<>();
    private final String machine;
    private String loadAtStart;

    Report(String title) {
        this.title = title;
        this.machine = machine();
        this.loadAtStart = loadAverage();
    }

    Report loadAtStart(String load) {
        this.loadAtStart = load;
        return this;
    }

    Report note(String line) {
        notes.add(line);
        return this;
    }

    Report row(String what, Object value) {
        rows.add(new String[] {what, String.valueOf(value)});
        return this;
    }

    Report rows(List<String[]> more) {
        rows.addAll(more);
        return this;
    }

    String render(Options o, String server) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n## ").append(title).append(": ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(o.label == null ? "" : ", " + o.label).append('\n');
        sb.append("Server: ").append(o.url).append(" (").append(server).append(")");
        if (o.serverNote != null) {
            sb.append("; ").append(o.serverNote);
        }
        sb.append(".  \nMachine: ").append(machine).append("; load generator ")
                .append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version())
                .append(".  \nLoad average (1/5/15 min) at start ").append(loadAtStart).append(", at end ")
                .append(loadAverage()).append(".\n");
        for (String n : notes) {
            sb.append(n).append("  \n");
        }
        sb.append("\n| measure | value |\n|---|---|\n");
        for (String[] r : rows) {
            sb.append("| ").append(r[0]).append(" | ").append(r[1]).append(" |\n");
        }
        return sb.toString();
    }

    void publish(Options o, String server) throws IOException {
        String text = render(o, server);
        System.out.print(text);
        if (o.results != null) {
            Files.writeString(o.results, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("(appended to " + o.results + ")");
        }
    }

    static String ms(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        return ms < 10 ? String.format(Locale.ROOT, "%.2f", ms) : ms < 100 ? String.format(Locale.ROOT, "%.1f", ms)
                : String.format(Locale.ROOT, "%.0f", ms);
    }

    static String mb(long kb) {
        return kb < 0 ? "-" : String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%,.1f", v);
    }

    /** Load average and, where the kernel has it, CPU pressure: the share of time something waited for a CPU. */
    static String loadAverage() {
        String load;
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            load = f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException e) {
            return "?";
        }
        try {
            String some = Files.readAllLines(Path.of("/proc/pressure/cpu")).get(0);
            String avg10 = some.replaceAll(".*avg10=([0-9.]+).*", "$1");
            String avg60 = some.replaceAll(".*avg60=([0-9.]+).*", "$1");
            return load + " (CPU pressure: tasks waiting for a CPU " + avg10 + "% of the last 10 s, " + avg60 + "% of 60 s)";
        } catch (IOException | RuntimeException e) {
            return load;
        }
    }

    static String machine() {
        String model = "?";
        long memKb = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + model + "), "
                + String.format(Locale.ROOT, "%.0f GiB", memKb / 1048576.0) + " RAM";
    }
}
