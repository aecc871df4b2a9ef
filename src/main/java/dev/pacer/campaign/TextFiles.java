package dev.pacer.campaign;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the files a campaign is made of (the campaign file, its recipients' CSV) as UTF-8, strictly:
 * a byte order mark (what spreadsheets save) is skipped, and a file in another encoding is refused
 * naming the encoding it looks like, rather than read as garbage.
 */
public final class TextFiles {

    private static final char BOM = '\uFEFF';

    private TextFiles() {
    }

    /** The whole file as text. */
    public static String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidCampaignException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            String text = decoder().decode(ByteBuffer.wrap(bytes)).toString();
            return !text.isEmpty() && text.charAt(0) == BOM ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw notUtf8(file, bytes);
        }
    }

    /** A reader of the file's text after any byte order mark; bytes that are not UTF-8 fail the read (see {@link #notUtf8}). */
    public static Reader open(Path file) throws IOException {
        Reader buffered = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder()));
        buffered.mark(1);
        if (buffered.read() != BOM) {
            buffered.reset();
        }
        return buffered;
    }

    /** Whether a read failed on bytes that are not UTF-8. */
    public static boolean isNotUtf8(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MalformedInputException) {
                return true;
            }
        }
        return false;
    }

    /** The refusal of a file that is not UTF-8, naming the encoding it looks like. */
    public static InvalidCampaignException notUtf8(Path file) {
        try {
            return notUtf8(file, Files.readAllBytes(file));
        } catch (IOException e) {
            return new InvalidCampaignException(file + " is not UTF-8; save it as UTF-8");
        }
    }

    private static InvalidCampaignException notUtf8(Path file, byte[] bytes) {
        return new InvalidCampaignException(file + " is not UTF-8 (" + guess(bytes) + "); save it as UTF-8");
    }

    /** What the bytes look like: UTF-16 by its byte order mark, else a single-byte Western encoding. */
    static String guess(byte[] bytes) {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE) || (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF))) {
            return "it looks like UTF-16";
        }
        Charset cp1252 = Charset.forName("windows-1252");
        try {
            cp1252.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return "it looks like ISO-8859-1 / Windows-1252";
        } catch (CharacterCodingException e) {
            return "an unknown encoding";
        }
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
