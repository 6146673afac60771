terraform {
  # The emulator forgets everything when it stops, so its state is disposable and stays
  # beside this root (*.tfstate* is gitignored).
  backend "local" {
    path = "terraform.tfstate"
  }
}
