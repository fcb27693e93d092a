using NUnit.Framework;

// Integration tests start real processes and bind real ports; running them one at a time keeps a 2-core CI machine
// honest about timing and keeps /proc observations about one server at a time.
[assembly: NonParallelizable]

