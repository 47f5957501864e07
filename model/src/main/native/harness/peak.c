/* FP32 FMA peak: 12 independent zmm accumulators, register-only loop. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define F(x) x=_mm512_fmadd_ps(x,m,c)
int main(){
  __m512 m=_mm512_set1_ps(0.999999f), c=_mm512_set1_ps(1e-7f);
  __m512 a0=_mm512_set1_ps(0),a1=_mm512_set1_ps(1),a2=_mm512_set1_ps(2),a3=_mm512_set1_ps(3),a4=_mm512_set1_ps(4),a5=_mm512_set1_ps(5),
         a6=_mm512_set1_ps(6),a7=_mm512_set1_ps(7),a8=_mm512_set1_ps(8),a9=_mm512_set1_ps(9),a10=_mm512_set1_ps(10),a11=_mm512_set1_ps(11);
  long iters=50000000; double best=0;
  for(int rep=0;rep<7;rep++){
    double t0=now();
    for(long it=0;it<iters;it++){
      F(a0);F(a1);F(a2);F(a3);F(a4);F(a5);F(a6);F(a7);F(a8);F(a9);F(a10);F(a11);
      __asm__ volatile("" : "+v"(a0),"+v"(a1),"+v"(a2),"+v"(a3),"+v"(a4),"+v"(a5),"+v"(a6),"+v"(a7),"+v"(a8),"+v"(a9),"+v"(a10),"+v"(a11));
    }
    double t=now()-t0; double gf=(double)iters*12*32/t/1e9; if(gf>best)best=gf;
  }
  __m512 s=_mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0,a1),_mm512_add_ps(a2,a3)),_mm512_add_ps(_mm512_add_ps(a4,a5),_mm512_add_ps(a6,a7)));
  s=_mm512_add_ps(s,_mm512_add_ps(_mm512_add_ps(a8,a9),_mm512_add_ps(a10,a11)));
  printf("AVX-512 FP32 FMA peak (1 core): %.1f GFLOP/s (chk %g)\n",best,_mm512_reduce_add_ps(s));
  return 0;
}
