namespace ChatFork.Bench.Net;

/// <summary>Sees one received line (without its line ending); returns true to stop reading.</summary>
internal delegate bool LineVisitor(ReadOnlySpan<byte> line);
