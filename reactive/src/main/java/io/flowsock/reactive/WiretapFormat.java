package io.flowsock.reactive;

/** What the wiretap logs of the bytes a connection reads and writes. */
public enum WiretapFormat {
    /** The events only: how many bytes and buffers, never their content. */
    EVENTS,
    /** The events, and each read's and write's bytes as a hex dump with an ASCII column (16 bytes a row). */
    HEX_DUMP,
    /** The events, and each read's and write's bytes as UTF-8 text. */
    TEXT
}
