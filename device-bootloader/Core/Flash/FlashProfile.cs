namespace AtymSecure.Bootloader.Flash;

/// <summary>
/// A family of flash parts: how sectors are laid out and the part's native write alignment,
/// erased value and endurance. <see cref="CreateGeometry"/> sizes a part; alignment and erased
/// value can be overridden for the test matrix (MCUboot's simulator does the same).
/// </summary>
public sealed record FlashProfile(
    string Name,
    Func<long, IReadOnlyList<int>> SectorLayout,
    int WriteAlignment,
    byte ErasedValue,
    int Endurance)
{
    /// <summary>STM32U5-like internal flash: 8 KiB pages, 16-byte (quad-word) programs, 10k cycles.</summary>
    public static FlashProfile Stm32U5Like { get; } =
        new("stm32u5", Uniform(8 * 1024), 16, 0xFF, 10_000);

    /// <summary>nRF52-like internal flash: 4 KiB pages, 4-byte word programs, 20k cycles.</summary>
    public static FlashProfile Nrf52Like { get; } =
        new("nrf52", Uniform(4 * 1024), 4, 0xFF, 20_000);

    /// <summary>SPI NOR: 4 KiB sectors, byte programs, 100k cycles.</summary>
    public static FlashProfile SpiNor { get; } =
        new("spinor", Uniform(4 * 1024), 1, 0xFF, 100_000);

    /// <summary>STM32F4-like mixed sectors: 4 x 16 KiB, 1 x 64 KiB, then 128 KiB sectors; 1-byte programs.</summary>
    public static FlashProfile Stm32F4Mixed { get; } =
        new("stm32f4-mixed", Stm32F4Layout, 1, 0xFF, 10_000);

    /// <summary>The three profiles the power-cut matrix runs over.</summary>
    public static IReadOnlyList<FlashProfile> Matrix { get; } = [Stm32U5Like, Nrf52Like, SpiNor];

    /// <summary>Every named profile (declared after the profiles: static initialisers run in order).</summary>
    public static IReadOnlyList<FlashProfile> All { get; } = [Stm32U5Like, Nrf52Like, SpiNor, Stm32F4Mixed];

    /// <summary>The profile called <paramref name="name"/> (case-insensitive), e.g. from a CLI option.</summary>
    /// <exception cref="ArgumentException">No such profile; the message lists the known names.</exception>
    public static FlashProfile Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown flash profile '{name}'; known profiles: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));
    }

    /// <summary>A part of at least <paramref name="minimumSize"/> bytes.</summary>
    public FlashGeometry CreateGeometry(long minimumSize, int? writeAlignment = null, byte? erasedValue = null, int? endurance = null) =>
        new(SectorLayout(minimumSize), writeAlignment ?? WriteAlignment, erasedValue ?? ErasedValue, endurance ?? Endurance);

    public override string ToString() => Name;

    private static Func<long, IReadOnlyList<int>> Uniform(int sectorSize) => minimumSize =>
    {
        var count = (int)Math.Max(1, (minimumSize + sectorSize - 1) / sectorSize);
        return Enumerable.Repeat(sectorSize, count).ToArray();
    };

    private static IReadOnlyList<int> Stm32F4Layout(long minimumSize)
    {
        var sizes = new List<int> { 16 * 1024, 16 * 1024, 16 * 1024, 16 * 1024, 64 * 1024 };
        long total = 128 * 1024;
        while (total < minimumSize)
        {
            sizes.Add(128 * 1024);
            total += 128 * 1024;
        }
        return sizes;
    }
}
