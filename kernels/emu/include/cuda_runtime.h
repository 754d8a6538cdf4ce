// Compiled by g++ for the CUDA stand-in, the kernels find the emulated built-ins here.
#pragma once
#include "../cuda_emu.h"
