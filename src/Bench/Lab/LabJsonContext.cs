using System.Text.Json.Serialization;

namespace ChatFork.Bench.Lab;

/// <summary>Source-generated serialization of results.json, so writing (and reading it back) needs no reflection.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(LabReport))]
internal sealed partial class LabJsonContext : JsonSerializerContext;
