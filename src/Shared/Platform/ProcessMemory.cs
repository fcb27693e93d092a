namespace ChatFork.Platform;

/// <summary>A process's memory as the OS can tell it: Pss on Linux (its fair share of shared pages), else private bytes.</summary>
public readonly record struct ProcessMemory(long Bytes, string Kind);
