namespace AtymSecure.Bootloader.Flash;

/// <summary>The two counted flash operations (reads are free and never interrupted).</summary>
public enum FlashOperationKind
{
    Program,
    Erase,
}
