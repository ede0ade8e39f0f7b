package io.sparkcnn.driver.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import io.sparkcnn.driver.common.InvalidInputException;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Typed getters over a resolved config (keys relative to {@code sparkcnn}) whose errors name the key and the
 * allowed values. Each section's record parses itself with one ({@code DataConfig.from(reader)}, ...); the reader
 * remembers every key read, so a test can check that each key of reference.conf is read and nothing else is.
 */
public final class ConfigReader {
    private final Config c;
    private final Set<String> read = new TreeSet<>();

    public ConfigReader(Config c) {
        this.c = c;
    }

    /** Every key read so far. */
    public Set<String> keysRead() {
        return Set.copyOf(read);
    }

    /** One value of an enum, by the name {@code name} gives it in configs; the error lists the allowed names. */
    public <E extends Enum<E>> E choice(String key, E[] values, Function<E, String> name) {
        String v = string(key).trim().toLowerCase(Locale.ROOT);
        for (E e : values) {
            if (name.apply(e).equals(v)) {
                return e;
            }
        }
        throw new InvalidInputException(key + " = '" + c.getString(key) + "' is not allowed; allowed values: "
                + String.join(", ", Arrays.stream(values).map(name).toList()));
    }

    /** A list of raw values (parsed further by the caller, e.g. layers). */
    public ConfigList list(String key) {
        read.add(key);
        return c.getList(key);
    }

    public Duration duration(String key, String example) {
        read.add(key);
        try {
            return c.getDuration(key);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new InvalidInputException(key + " must be a duration such as " + example + ", got "
                    + c.getValue(key).render());
        }
    }

    public String string(String key) {
        read.add(key);
        try {
            return c.getString(key);
        } catch (ConfigException.WrongType e) {
            throw new InvalidInputException(key + " must be a string, got " + c.getValue(key).render());
        }
    }

    public List<String> stringList(String key) {
        read.add(key);
        try {
            return c.getStringList(key);
        } catch (ConfigException.WrongType e) {
            throw new InvalidInputException(key + " must be a list of strings, got " + c.getValue(key).render());
        }
    }

    public double number(String key) {
        read.add(key);
        try {
            double v = c.getDouble(key);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new InvalidInputException(key + " must be a finite number, got " + v);
            }
            return v;
        } catch (ConfigException.WrongType e) {
            throw new InvalidInputException(key + " must be a number, got " + c.getValue(key).render());
        }
    }

    public long longValue(String key) {
        read.add(key);
        try {
            return c.getLong(key);
        } catch (ConfigException.WrongType e) {
            throw new InvalidInputException(key + " must be a whole number, got " + c.getValue(key).render());
        }
    }

    public long longAtLeast(String key, long min) {
        long v = longValue(key);
        if (v < min) {
            throw new InvalidInputException(key + " must be a whole number >= " + min + ", got " + v);
        }
        return v;
    }

    public int intAtLeast(String key, int min) {
        read.add(key);
        int v;
        try {
            v = c.getInt(key);
        } catch (ConfigException.WrongType e) {
            throw new InvalidInputException(key + " must be a whole number >= " + min + ", got " + c.getValue(key).render());
        }
        if (v < min) {
            throw new InvalidInputException(key + " must be a whole number >= " + min + ", got " + v);
        }
        return v;
    }

    public double fraction(String key) {
        double v = number(key);
        if (v < 0 || v >= 1) {
            throw new InvalidInputException(key + " must be a fraction in [0, 1), got " + v);
        }
        return v;
    }

    public double fractionInclusive(String key) {
        double v = number(key);
        if (v < 0 || v > 1) {
            throw new InvalidInputException(key + " must be in [0, 1], got " + v);
        }
        return v;
    }

    public double positive(String key) {
        double v = number(key);
        if (v <= 0) {
            throw new InvalidInputException(key + " must be above 0, got " + v);
        }
        return v;
    }

    public double nonNegative(String key) {
        double v = number(key);
        if (v < 0) {
            throw new InvalidInputException(key + " must be 0 or more, got " + v);
        }
        return v;
    }

    public boolean bool(String key) {
        read.add(key);
        try {
            return c.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw new InvalidInputException(key + " must be true or false, got " + c.getValue(key).render());
        }
    }
}
