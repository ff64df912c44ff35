package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** Chunk size lines: the hex written straight into the line is what {@link Long#toHexString} says. */
class AsciiHexTest {

    @Property
    void anySizeIsWrittenAsLowerCaseHex(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long n) {
        assertThat(hex(n)).isEqualTo(Long.toHexString(n));
    }

    @Example
    void edges() {
        assertThat(hex(0)).isEqualTo("0");
        assertThat(hex(15)).isEqualTo("f");
        assertThat(hex(16)).isEqualTo("10");
        assertThat(hex(0x16)).isEqualTo("16");
        assertThat(hex(Long.MAX_VALUE)).isEqualTo("7fffffffffffffff");
        assertThat(new String(new Ascii(1).append("x").appendHex(0xabc).crlf().toBuffer().array(), 0, 6,
                StandardCharsets.US_ASCII)).isEqualTo("xabc\r\n");
    }

    private static String hex(long n) {
        Ascii a = new Ascii(1).appendHex(n);
        return new String(a.toBuffer().array(), 0, a.length(), StandardCharsets.US_ASCII);
    }
}
